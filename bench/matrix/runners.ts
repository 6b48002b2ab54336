import { type Model, type Tensor } from '@edgewise/core';
import { createWebRuntime } from '@edgewise/web';
import type { BenchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import type { RawWorkerReply, RawWorkerRequest } from './raw-worker.js';
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
let rawWorker: Worker | undefined;
/** One request at a time (the bench awaits each run), answered in order. */
function ask(worker: Worker, message: RawWorkerRequest, transfer: Transferable[] = []): Promise<RawWorkerReply> {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<RawWorkerReply>) => (data.type === 'error' ? reject(new Error(data.message)) : resolve(data));
    worker.postMessage(message, transfer);
  });
}
async function openRawInWorker(model: BenchModel, spec: CellSpec): Promise<Runner> {
  rawWorker ??= new Worker(new URL('./raw-worker.ts', import.meta.url), { type: 'module' });
  const worker = rawWorker;
  const opened = await ask(worker, { type: 'open', modelId: model.id, backend: spec.backend, threads: spec.threads });
  const computeTimes: number[] = [];
  return {
    ranOn: opened.type === 'opened' ? opened.ranOn : spec.backend,
    computeTimes,
    run: async (inputs: Tensor[]) => {
      const reply = (await ask(worker, { type: 'run', inputs }, inputs.map((t) => t.data.buffer as ArrayBuffer))) as { outputs: unknown; computeMs: number };
      computeTimes.push(reply.computeMs);
      return reply.outputs;
    },
    dispose: async () => void (await ask(worker, { type: 'dispose' })),
  };
}

/** Opens the runner a cell names: raw or Edgewise, main thread or worker. */
export function openRunner(model: BenchModel, spec: CellSpec): Promise<Runner> {
  if (spec.impl !== 'raw') return openEdgewise(model, spec);
  return spec.context === 'worker' ? openRawInWorker(model, spec) : openRaw(model, spec.backend, spec.threads);
}
