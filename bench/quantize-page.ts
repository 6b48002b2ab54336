/**
 * Browser half of the quantisation benchmark: the same measurement as Node (quantize-measure.ts) on
 * ORT WASM in this page's main thread, with the thread count from ?threads=N (ORT reads it once
 * per page). The driver (bench/quantize-browser.ts) writes the MNIST test split next to the models.
 * Publishes JSON on window.benchResult.
 */
import * as ort from 'onnxruntime-web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { QUANTIZE_MODELS, type ModelResult, measureModel } from './quantize-measure.js';

const threads = Number(new URLSearchParams(location.search).get('threads') ?? 1);
const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? 40);
ort.env.wasm.numThreads = threads;
ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };

const bytes = async (path: string) => new Uint8Array(await (await fetch(`/models/generated/${path}`)).arrayBuffer());
const images = new Float32Array((await bytes('mnist/test-images.bin')).buffer);
const labels = await bytes('mnist/test-labels.bin');
const test = { images, labels, count: labels.length };
const models: Record<string, ModelResult> = {};
for (const [name, files] of Object.entries(QUANTIZE_MODELS)) {
  const variants: Record<string, Uint8Array> = {};
  for (const [v, f] of Object.entries(files)) variants[v] = await bytes(f);
  models[name] = await measureModel(variants, test, rounds);
}
const result = { threads, crossOriginIsolated, userAgent: navigator.userAgent, ortVersion: ort.env.versions.web, models };
document.querySelector('#out')!.textContent = JSON.stringify(result, null, 2);
(window as unknown as { benchResult: unknown }).benchResult = result;
