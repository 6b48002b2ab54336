import { InputError, ModelFormatError, tensor } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { createWebRuntime } from '@edgewise/web';
import { ORT_WASM_PATHS } from '../../bench/matrix/wasm-paths.js';
import { MODELS, makeRuntime, reference, sample } from './fixtures.js';

const close = (got: ArrayLike<number>, want: Float32Array) => {
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
};

describe('models in a Web Worker', () => {
  it('transfers input buffers to the worker and output buffers back (no copies)', async () => {
    const name = `edgewise-transfer-${Date.now()}`;
    const createWorker = () => new Worker(new URL('./workers/transfer-worker.ts', import.meta.url), { type: 'module', name });
    const model = await createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, createWorker }).loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['wasm'], worker: true });
    const x = sample(5);
    const input = tensor('float32', x.slice(), [1, 16]);
    const out = await model.run({ input });
    // A transferred ArrayBuffer is detached on the sending side: here for the inputs...
    expect(input.data.buffer.byteLength).toBe(0);
    expect(out.probabilities!.data).toBeInstanceOf(Float32Array);
    close(out.probabilities!.data as Float32Array, reference(x));
    // ...and in the worker for the outputs (a copy would leave the engine's buffers intact there).
    const channel = new BroadcastChannel(name);
    const inWorker = await new Promise<Array<Record<string, number>>>((resolve) => {
      channel.onmessage = ({ data }) => resolve(data.value);
      channel.postMessage({ id: 1 });
    });
    channel.close();
    expect(inWorker).toHaveLength(1);
    expect(Object.keys(inWorker[0]!).length).toBeGreaterThan(0);
    expect(inWorker[0]).toEqual(Object.fromEntries(Object.keys(inWorker[0]!).map((k) => [k, 0])));
    expect((out.probabilities!.data as Float32Array).buffer.byteLength).toBeGreaterThan(0);
    await model.dispose();
  });

  it('queues concurrent runs instead of failing with "session already started"', async () => {
    const model = await makeRuntime().loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['webgpu'], worker: true });
    const xs = Array.from({ length: 16 }, (_, k) => sample(k));
    const outs = await Promise.all(xs.map((x) => model.run({ input: tensor('float32', x.slice(), [1, 16]) })));
    outs.forEach((o, k) => close(o.probabilities!.data as Float32Array, reference(xs[k]!)));
    await model.dispose();
  });

  it('keeps error classes and codes across the boundary, and does not detach inputs it rejects', async () => {
    const runtime = makeRuntime();
    const model = await runtime.loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['wasm'], worker: true });
    const wrongShape = tensor('float32', new Float32Array(32), [2, 16]);
    const error = await model.run({ input: wrongShape }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'E_INPUT', input: 'input' });
    expect(wrongShape.data.length).toBe(32);
    // An error raised inside the worker (not the main-thread pre-check) keeps its class too.
    const notAModel = new TextEncoder().encode('<html>404 page served instead of a model</html>');
    const formatError = await runtime.loadModel({ source: notAModel, engine: 'onnx', worker: true }).catch((e) => e);
    expect(formatError).toBeInstanceOf(ModelFormatError);
    expect(formatError.code).toBe('E_MODEL_FORMAT');
    expect(formatError.stack).toContain('onnx-engine');
    await model.dispose();
  });

  it('keeps the main thread responsive while the worker computes', async () => {
    const model = await makeRuntime().loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['webgl'], worker: true });
    // Count main-thread timer ticks during 30 WebGL runs (SwiftShader: slow, CPU-bound in the worker).
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    for (let k = 0; k < 30; k++) await model.run({ input: tensor('float32', sample(k), [1, 16]) });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // A blocked main thread would starve the timer; a free one ticks at least every ~20 ms.
    expect(ticks).toBeGreaterThan(elapsed / 20);
    await model.dispose();
  });
});
