import { AllBackendsFailedError } from '@edgewise/core';
import { createWebRuntime } from '@edgewise/web';
import { describe, expect, it } from 'vitest';
import { MODELS } from './fixtures.js';

/**
 * onnxruntime-web's runtime files served from the wrong place: the dev server answers with its HTML
 * page, as most servers do for a missing file. The error must say what is wrong and what to set,
 * not only ORT's "expected magic word". (In a worker, so this thread's ORT stays usable.)
 */
describe('ORT runtime files in the wrong place', () => {
  it('fails the load with an error naming ortWasmPaths and what came back', async () => {
    const runtime = createWebRuntime({ ortWasmPaths: '/no-such-folder/' });
    const error = await runtime.loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['wasm'], worker: true }).catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    const reason = error.attempts[0].reason as string;
    expect(reason).toMatch(/could not load its WebAssembly runtime files from ortWasmPaths "\/no-such-folder\/"/);
    expect(reason).toMatch(/not WebAssembly or JavaScript/);
    runtime.workers.dispose();
  });
});
