import { AllBackendsFailedError, tensor, type BackendAttempt } from '@edgewise/core';
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

  }
  // Run-time faults (device loss, wedged engines, hangs, dead workers) are in fault-matrix.test.ts.

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
