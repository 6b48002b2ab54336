import { createRuntime, type Engine, type Runtime } from '@edgewise/core';
import { lazyModelMonitor } from '@edgewise/drift/lazy';
import { BrowserStore, ModelCache } from '@edgewise/store';
import { createBrowserEngines } from './browser-engines.js';
import { WorkerHost, type WorkerHostOptions } from './worker-host.js';
import type { WorkerEngineConfig } from './worker-protocol.js';

export interface WebRuntimeOptions extends WorkerEngineConfig, Pick<WorkerHostOptions, 'heartbeatMs' | 'missedHeartbeats'> {
  /** Overrides how the worker is created (bundlers that cannot follow `new URL('./worker.ts', import.meta.url)`). */
  createWorker?: WorkerHostOptions['createWorker'];
  /**
   * Engines for models in this thread. Default: createBrowserEngines(config). (Models with
   * `worker: true` use the worker's engines: see serveModels() for a worker entry of your own.)
   */
  engines?: Engine[];
}

export interface WebRuntime extends Runtime {
  /** The model cache behind `loadModel({ manifest })` on this thread (list, pin, remove, rollback). */
  readonly models: ModelCache;
  /** The worker host behind `worker: true` models (dispose). */
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
  const config: WorkerEngineConfig = { ortWasmPaths: options.ortWasmPaths, tfjsWasmPaths: options.tfjsWasmPaths, storeName: options.storeName };
  const workers = new WorkerHost({ engineConfig: config, createWorker: options.createWorker, heartbeatMs: options.heartbeatMs, missedHeartbeats: options.missedHeartbeats });
  // One storage (OPFS where available, else IndexedDB) serves this thread and the worker; Web Locks
  // make them (and other tabs) install each version once.
  const models = new ModelCache(new BrowserStore(options.storeName));
  const runtime = createRuntime({ engines: options.engines ?? createBrowserEngines(config), workerHost: workers, models, monitoring: lazyModelMonitor });
  return Object.assign(runtime, { workers, models });
}
