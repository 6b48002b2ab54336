/** Test page: exposes a web runtime with the IndexedDB model cache on window for Playwright. */
import { tensor } from '@edgewise/core';
import { createWebRuntime } from '@edgewise/web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

const runtime = createWebRuntime({ ortWasmPaths: { wasm: ortWasm, mjs: ortMjs } });
const events: unknown[] = [];

const api = {
  async load(manifest: string, worker: boolean, version?: string) {
    const progress: Array<{ loaded: number; total: number }> = [];
    const model = await runtime.loadModel({ manifest, worker, version, backends: ['wasm'], onProgress: (p) => progress.push(p) });
    const out = await model.run({ input: tensor('float32', new Float32Array(784).fill(0.5), [1, 784]) });
    await model.dispose();
    return { progress, output: Array.from(out.probabilities!.data as Float32Array) };
  },
  list: async () => (await runtime.models.list()).map((r) => `${r.version}`),
  rollback: (manifest: string) => runtime.models.rollback(manifest),
  /** Waits for the background manifest check (stale-while-revalidate) and the update it installs. */
  settled: () => runtime.models.settled(),
  events: () => events,
};
(window as unknown as { edgewise: typeof api }).edgewise = api;
document.body.dataset.ready = 'true';
