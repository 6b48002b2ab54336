import type { BackendName } from '@edgewise/core';
import * as tf from '@tensorflow/tfjs-core';

export interface TfjsBackendOptions {
  /** Prefix or per-file map where @tensorflow/tfjs-backend-wasm finds its .wasm files. */
  wasmPaths?: string | Record<string, string>;
  /**
   * Threads for the WASM backend (threaded build only: needs cross-origin isolation). Like ORT's, it
   * is read once, when the backend first initialises in this thread; later values are ignored.
   */
  numThreads?: number;
}

/**
 * Backends are imported on first use: their modules probe navigator.gpu and WebGL at import time,
 * which must not happen when this package is merely imported (and would bloat bundles that never
 * use them).
 */
const importers: Partial<Record<BackendName, (o: TfjsBackendOptions) => Promise<unknown>>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  wasm: async (o) => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (o.wasmPaths) wasm.setWasmPaths(o.wasmPaths as string);
    if (o.numThreads) wasm.setThreadsCount(o.numThreads);
    return wasm;
  },
};

const initialised = new Map<BackendName, Promise<void>>();

/**
 * Makes `backend` TF.js's active backend, initialising it once. TF.js has one active backend per
 * thread, so sessions call this before every run (a no-op when it is already active).
 */
export async function activateBackend(backend: BackendName, options: TfjsBackendOptions): Promise<void> {
  let init = initialised.get(backend);
  if (!init) {
    init = (async () => {
      const importer = importers[backend];
      if (!importer) throw new Error(`TF.js has no "${backend}" backend (it offers ${Object.keys(importers).join(', ')}).`);
      await importer(options);
      if (!tf.findBackendFactory(backend)) throw new Error(`TF.js did not register "${backend}" here (unsupported by this environment).`);
    })();
    initialised.set(backend, init);
    init.catch(() => initialised.delete(backend));
  }
  await init;
  if (tf.getBackend() === backend) return;
  const ok = await tf.setBackend(backend);
  if (!ok) {
    // setBackend resolves false (and logs) rather than throwing; turn it into an error with a reason.
    tf.removeBackend(backend);
    initialised.delete(backend);
    throw new Error(`TF.js could not initialise the "${backend}" backend in this environment.`);
  }
}
