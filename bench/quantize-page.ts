/**
 * Browser half of the quantisation benchmark: MNIST fp32 vs int8 on ORT WASM with the thread count
 * from ?threads=N (ORT reads it once per page), in this page's main thread. Publishes JSON on
 * window.benchResult for the driver (bench/quantize-browser.ts).
 */
import * as ort from 'onnxruntime-web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { timeRuns } from './stats.js';

const threads = Number(new URLSearchParams(location.search).get('threads') ?? 1);
ort.env.wasm.numThreads = threads;
ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };

const input = new Float32Array(784).map((_, i) => ((i * 37) % 255) / 255);
const batch = new Float32Array(784 * 32).map((_, i) => ((i * 37) % 255) / 255);
const result: Record<string, unknown> = { threads, crossOriginIsolated, userAgent: navigator.userAgent };
for (const variant of ['model.onnx', 'model-int8.onnx']) {
  const bytes = new Uint8Array(await (await fetch(`/models/generated/mnist/${variant}`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  result[variant] = {
    bytes: bytes.byteLength,
    batch1: await timeRuns(300, 30, () => session.run({ input: new ort.Tensor('float32', input, [1, 784]) })),
    batch32: await timeRuns(100, 10, () => session.run({ input: new ort.Tensor('float32', batch, [32, 784]) })),
  };
  await session.release();
}
document.querySelector('#out')!.textContent = JSON.stringify(result, null, 2);
(window as unknown as { benchResult: unknown }).benchResult = result;
