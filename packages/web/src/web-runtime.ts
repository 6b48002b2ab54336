import { createRuntime, type Runtime } from '@edgewise/core';
import { createBrowserEngines } from './browser-engines.js';
import { WorkerHost, type WorkerHostOptions } from './worker-host.js';
import type { WorkerEngineConfig } from './worker-protocol.js';

export interface WebRuntimeOptions extends WorkerEngineConfig {
  /** Overrides how the worker is created (bundlers that cannot follow `new URL('./worker.ts', import.meta.url)`). */
  createWorker?: WorkerHostOptions['createWorker'];
}

export interface WebRuntime extends Runtime {
  /** The worker host behind `worker: true` models (restart count, fault injection, dispose). */
  readonly workers: WorkerHost;
}

/**
 * A runtime for browsers: ONNX (WebGPU, WebGL, WASM) and TF.js (WebGPU, WebGL, WASM, CPU), in this
 * thread or, with `worker: true`, in a Web Worker.
 *
 * @example
 * import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
 * const runtime = createWebRuntime({ ortWasmPaths: { wasm: ortWasm } });
 * const model = await runtime.loadModel({ source: '/models/mnist.onnx', engine: 'onnx', worker: true });
 */
export function createWebRuntime(options: WebRuntimeOptions = {}): WebRuntime {
  const config: WorkerEngineConfig = { ortWasmPaths: options.ortWasmPaths, tfjsWasmPaths: options.tfjsWasmPaths };
  const workers = new WorkerHost({ engineConfig: config, createWorker: options.createWorker });
  const runtime = createRuntime({ engines: createBrowserEngines(config), workerHost: workers });
  return Object.assign(runtime, { workers });
}
