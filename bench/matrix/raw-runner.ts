/**
 * The baseline: each engine's own API, used the way a careful app without Edgewise would use it
 * (bytes fetched once, one session, outputs read back to the CPU, tensors disposed).
 */
import type { Tensor } from '@edgewise/core';
import type { BenchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import { ORT_WASM_PATHS, TFJS_WASM_PATHS } from './wasm-paths.js';

/** Output data as the app receives it: typed arrays on the CPU. */
export type OutputData = ArrayBufferView[];

export interface Runner {
  ranOn: string;
  run(inputs: Tensor[]): Promise<unknown>;
  dispose(): Promise<void>;
  /** Worker runners: each run's time inside the worker (the rest of a call is the hand-off). */
  computeTimes?: number[];
}

async function openOrt(model: BenchModel, backend: CellSpec['backend'], threads: number): Promise<Runner> {
  const ort = await import('onnxruntime-web/all');
  ort.env.wasm.wasmPaths = ORT_WASM_PATHS;
  ort.env.wasm.numThreads = threads;
  const bytes = new Uint8Array(await (await fetch(model.url)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
  return {
    ranOn: backend,
    async run(inputs) {
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      session.inputNames.forEach((name, i) => (feeds[name] = new ort.Tensor(inputs[i]!.type, inputs[i]!.data as Float32Array, inputs[i]!.dims as number[])));
      const results = await session.run(feeds);
      const out: OutputData = [];
      for (const t of Object.values(results)) {
        out.push((t.location === 'cpu' ? t.data : await t.getData(true)) as ArrayBufferView);
        t.dispose();
      }
      return out;
    },
    dispose: () => session.release(),
  };
}

let tfjsStarted: Promise<typeof import('@tensorflow/tfjs-core')> | undefined;
async function startTfjs(backend: CellSpec['backend'], threads: number) {
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(TFJS_WASM_PATHS);
    wasm.setThreadsCount(threads);
  } else if (backend === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  else await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend here.`);
  await tf.ready();
  return tf;
}

async function openTfjs(model: BenchModel, backend: CellSpec['backend'], threads: number): Promise<Runner> {
  const tf = await (tfjsStarted ??= startTfjs(backend, threads));
  if (tf.getBackend() !== backend) throw new Error(`this page's TF.js runs ${tf.getBackend()}; one backend per page`);
  const net =
    model.kind === 'graph' ? await (await import('@tensorflow/tfjs-converter')).loadGraphModel(model.url) : await (await import('@tensorflow/tfjs-layers')).loadLayersModel(model.url);
  return {
    ranOn: backend,
    async run(inputs) {
      const feeds = inputs.map((t) => tf.tensor(t.data as Float32Array, [...t.dims], t.type === 'int32' ? 'int32' : 'float32'));
      const out = 'executeAsync' in net ? await net.executeAsync(feeds.length === 1 ? feeds[0]! : feeds) : net.predict(feeds.length === 1 ? feeds[0]! : feeds);
      const outputs = (Array.isArray(out) ? out : [out]) as Array<{ data(): Promise<unknown>; dispose(): void }>;
      const data: OutputData = [];
      for (const t of outputs) data.push((await t.data()) as ArrayBufferView);
      for (const t of [...feeds, ...outputs]) t.dispose();
      return data;
    },
    async dispose() {
      net.dispose();
    },
  };
}

export function openRaw(model: BenchModel, backend: CellSpec['backend'], threads: number): Promise<Runner> {
  return model.engine === 'onnx' ? openOrt(model, backend, threads) : openTfjs(model, backend, threads);
}
