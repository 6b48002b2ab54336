import { type Model, type Tensor } from '@edgewise/core';
import { transferablesOf } from '@edgewise/core/internal';
import { createWebRuntime } from '@edgewise/web';
import * as Comlink from 'comlink';
import type { BenchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import type { RawWorkerApi } from './raw-worker.js';
import { openRaw, type Runner } from './raw-runner.js';
import { ORT_WASM_PATHS, TFJS_WASM_PATHS } from './wasm-paths.js';

/** One Edgewise runtime per page, wired as a Vite app should (ORT/TF.js files from `?url` imports). */
let runtime: ReturnType<typeof createWebRuntime> | undefined;
const edgewise = () =>
  (runtime ??= createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS }));

async function openEdgewise(model: BenchModel, spec: CellSpec): Promise<Runner> {
  const monitor = spec.impl === 'edgewise-unmonitored' ? false : spec.impl === 'edgewise-features' ? { features: model.features } : undefined;
  const loaded: Model = await edgewise().loadModel({
    source: model.url,
    engine: model.engine,
    backends: [spec.backend],
    worker: spec.context === 'worker',
    numThreads: spec.threads,
    ...(monitor !== undefined ? { monitor } : {}),
  });
  const names = loaded.inputs.map((i) => i.name);
  return {
    ranOn: loaded.backend,
    async run(inputs) {
      await loaded.run(Object.fromEntries(names.map((n, i) => [n, inputs[i]!])));
    },
    dispose: () => loaded.dispose(),
  };
}

/** The raw engine in a worker of its own; the worker lives as long as the page (warm loads reuse it). */
let rawWorker: Comlink.Remote<RawWorkerApi> | undefined;
async function openRawInWorker(model: BenchModel, spec: CellSpec): Promise<Runner> {
  rawWorker ??= Comlink.wrap<RawWorkerApi>(new Worker(new URL('./raw-worker.ts', import.meta.url), { type: 'module' }));
  const worker = rawWorker;
  const ranOn = await worker.open(model.id, spec.backend, spec.threads);
  return {
    ranOn,
    run: (inputs: Tensor[]) => worker.run(Comlink.transfer(inputs, transferablesOf(Object.fromEntries(inputs.map((t, i) => [i, t]))))),
    dispose: () => worker.dispose(),
  };
}

/** Opens the runner a cell names: raw or Edgewise, main thread or worker. */
export function openRunner(model: BenchModel, spec: CellSpec): Promise<Runner> {
  if (spec.impl !== 'raw') return openEdgewise(model, spec);
  return spec.context === 'worker' ? openRawInWorker(model, spec) : openRaw(model, spec.backend, spec.threads);
}
