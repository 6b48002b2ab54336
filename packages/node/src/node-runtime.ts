import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '@edgewise/core';
import { createOnnxEngine, type Ort } from '@edgewise/engine-onnx';
import { createTfjsEngine } from '@edgewise/engine-tfjs';
import { lazyModelMonitor } from '@edgewise/drift/lazy';
import { ModelCache } from '@edgewise/store';
import { FsStore } from './fs-store.js';
import { readNodeBytes } from './read-bytes.js';

const require = createRequire(import.meta.url);

/** Directory of @tensorflow/tfjs-backend-wasm's .wasm files, which Node reads from disk. */
function tfjsWasmDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
}

/**
 * A runtime for Node.js and Electron's main process: ONNX on onnxruntime-web's WASM build and TF.js
 * on its WASM and CPU backends, models read from files or URLs.
 *
 * @example
 * const runtime = createNodeRuntime();
 * const model = await runtime.loadModel({ source: './models/mnist.onnx', engine: 'onnx' });
 * // With a cache directory, models can come from a manifest (verified, cached, offline-capable):
 * const cached = createNodeRuntime({ cacheDir: './.model-cache' });
 * await cached.loadModel({ manifest: 'https://example.com/models/mnist/manifest.json' });
 */
export interface NodeRuntimeOptions extends RuntimeOptions {
  /** Directory for the model cache behind `loadModel({ manifest })`. */
  cacheDir?: string;
  /**
   * ONNX backends, best first. 'cpu' is onnxruntime-node (native; install it yourself with its
   * binaries), 'wasm' is onnxruntime-web's WASM build. Default ['wasm']; use ['cpu', 'wasm'] to prefer
   * the native runtime where it is installed and fall back (with the reason recorded) where not.
   */
  onnxBackends?: Array<'cpu' | 'wasm'>;
}

/** onnxruntime-node is optional: imported by a computed name so bundlers and tsc do not require it. */
const ONNXRUNTIME_NODE = 'onnxruntime-node';

export function createNodeRuntime(options: NodeRuntimeOptions = {}): Runtime {
  const { cacheDir, onnxBackends = ['wasm'], ...rest } = options;
  return createRuntime({
    monitoring: lazyModelMonitor,
    readBytes: readNodeBytes,
    // `loadModel({ manifest })` caches verified versions on disk when given a directory.
    ...(cacheDir ? { models: new ModelCache(new FsStore(cacheDir)) } : {}),
    engines: [
      // onnxruntime-web's "node" export condition picks ort.node.min.mjs: WASM only, files from disk.
      createOnnxEngine({
        loadOrt: (backend) => (backend === 'cpu' ? import(ONNXRUNTIME_NODE) : import('onnxruntime-web')) as Promise<Ort>,
        backends: onnxBackends,
      }),
      createTfjsEngine({ backends: ['wasm', 'cpu'], wasmPaths: tfjsWasmDir() }),
    ],
    ...rest,
  });
}
