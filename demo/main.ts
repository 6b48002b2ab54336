import { tensor, type BackendName } from '@edgewise/core';
import { createWebRuntime } from '@edgewise/web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

const runtime = createWebRuntime({ ortWasmPaths: { wasm: ortWasm, mjs: ortMjs } });
const rows = document.querySelector<HTMLTableSectionElement>('#results')!;
const status = document.querySelector('#status')!;
const input = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7) * 0.9);

const cases: Array<[engine: 'onnx' | 'tfjs', source: string, backend: BackendName]> = [
  ['onnx', '/generated/tiny-mlp/model.onnx', 'webgpu'],
  ['onnx', '/generated/tiny-mlp/model.onnx', 'webgl'],
  ['onnx', '/generated/tiny-mlp/model.onnx', 'wasm'],
  ['tfjs', '/generated/tiny-mlp/tfjs/model.json', 'webgpu'],
  ['tfjs', '/generated/tiny-mlp/tfjs/model.json', 'webgl'],
  ['tfjs', '/generated/tiny-mlp/tfjs/model.json', 'cpu'],
];

for (const [engine, source, backend] of cases) {
  const row = rows.insertRow();
  const cell = (text: string) => (row.insertCell().textContent = text);
  try {
    const model = await runtime.loadModel({ source, engine, backends: [backend], worker: true });
    const name = model.inputs[0]!.name;
    const started = performance.now();
    const out = await model.run({ [name]: tensor('float32', input.slice(), [1, 16]) });
    const ms = performance.now() - started;
    const probs = Array.from(out[model.outputs[0]!.name]!.data as Float32Array);
    const top = probs.indexOf(Math.max(...probs));
    [engine, backend, model.backend, `${ms.toFixed(1)} ms`, `${top} (${probs[top]!.toFixed(3)})`, ''].forEach(cell);
    await model.dispose();
  } catch (error) {
    [engine, backend, '—', '—', '—', String((error as Error).message)].forEach(cell);
  }
}
status.textContent = 'Done.';
document.body.dataset.ready = 'true';
