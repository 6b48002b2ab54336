import { AllBackendsFailedError, EngineWedgedError, tensor, type BackendAttempt } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { MODELS, makeRuntime, reference, sample } from './fixtures.js';

const close = (got: ArrayLike<number | bigint>, want: Float32Array) => {
  for (let i = 0; i < want.length; i++) expect(Math.abs(Number(got[i]) - want[i]!)).toBeLessThan(1e-3);
};

describe('backend fallback in real Chromium', () => {
  for (const worker of [false, true]) {
    const where = worker ? 'in a worker' : 'on the main thread';

    it(`load time: WebGL lacks ArgMax, so the model lands on WASM with the same answer (${where})`, async () => {
      const seen: BackendAttempt[] = [];
      const model = await makeRuntime().loadModel({
        source: `${MODELS}/model-argmax.onnx`,
        engine: 'onnx',
        backends: ['webgl', 'wasm'],
        worker,
        onBackendAttempt: (a) => seen.push(a),
      });
      expect(model.backend).toBe('wasm');
      expect(model.attempts[0]).toMatchObject({ backend: 'webgl', outcome: 'failed', phase: 'load' });
      expect(model.attempts[0]!.reason).toMatch(/ArgMax/i);
      expect(seen.map((a) => `${a.backend}:${a.outcome}`)).toEqual(['webgl:failed', 'wasm:selected']);
      const x = sample(3);
      const out = await model.run({ input: tensor('float32', x.slice(), [1, 16]) });
      close(out.probabilities!.data, reference(x));
      const want = reference(x);
      expect(Number(out.class!.data[0])).toBe(want.indexOf(Math.max(...want)));
      await model.dispose();
    });

    for (const engine of worker ? (['onnx', 'tfjs'] as const) : (['tfjs'] as const)) {
      it(`run time: ${engine} WebGPU device lost → recreated on the next backend, run retried once (${where})`, async () => {
        const runtime = makeRuntime();
        const fallbackTo = engine === 'onnx' ? 'wasm' : 'cpu';
        const source = engine === 'onnx' ? `${MODELS}/model.onnx` : `${MODELS}/tfjs/model.json`;
        const model = await runtime.loadModel({ source, engine, backends: ['webgpu', fallbackTo], worker });
        expect(model.backend).toBe('webgpu');
        const [inName, outName] = [model.inputs[0]!.name, model.outputs[0]!.name];
        const events: Array<{ from: string; to: string; reason: string }> = [];
        model.on('fallback', (e) => events.push(e));
        const before = await model.run({ [inName]: tensor('float32', sample(1), [1, 16]) });
        close(before[outName]!.data, reference(sample(1)));

        await runtime.simulateDeviceLoss();
        const x = sample(2);
        const after = await model.run({ [inName]: tensor('float32', x.slice(), [1, 16]) });
        close(after[outName]!.data, reference(x));
        expect(model.backend).toBe(fallbackTo);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ from: 'webgpu', to: fallbackTo });
        expect(events[0]!.reason).toMatch(/lost/i);
        expect(model.attempts.filter((a) => a.phase === 'run').map((a) => `${a.backend}:${a.outcome}`)).toEqual([
          'webgpu:failed',
          `${fallbackTo}:selected`,
        ]);
        await model.dispose();
      });
    }
  }

  it('run time on the main thread: ORT wedged by device loss says so and how to recover', async () => {
    const runtime = makeRuntime();
    const model = await runtime.loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['webgpu', 'wasm'] });
    await model.run({ input: tensor('float32', sample(1), [1, 16]) });
    await runtime.simulateDeviceLoss();
    const error = await model.run({ input: tensor('float32', sample(2), [1, 16]) }).catch((e) => e);
    expect(error).toBeInstanceOf(EngineWedgedError);
    expect(error.code).toBe('E_ENGINE_WEDGED');
    expect(error.message).toMatch(/device lost.*worker: true/i);
    // Loading anew in this thread fails fast with the same explanation instead of hanging.
    await expect(runtime.loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['wasm'] })).rejects.toBeInstanceOf(EngineWedgedError);
  });

  it('one error lists every backend cause when none works', async () => {
    const error = await makeRuntime()
      .loadModel({ source: `${MODELS}/model-argmax.onnx`, engine: 'onnx', backends: ['webgl', 'cpu'] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.attempts.map((a: BackendAttempt) => `${a.backend}:${a.outcome}`)).toEqual(['webgl:failed', 'cpu:skipped']);
    expect(error.message).toMatch(/webgl: failed \(.*ArgMax/i);
    expect(error.message).toMatch(/cpu: skipped \(engine "onnx" has no "cpu" backend/);
  });
});
