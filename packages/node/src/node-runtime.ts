import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '@edgewise/core';
import { createOnnxEngine, type Ort } from '@edgewise/engine-onnx';
import { createTfjsEngine } from '@edgewise/engine-tfjs';
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
export function createNodeRuntime(options: RuntimeOptions & { cacheDir?: string } = {}): Runtime {
  const { cacheDir, ...rest } = options;
  return createRuntime({
    readBytes: readNodeBytes,
    // `loadModel({ manifest })` caches verified versions on disk when given a directory.
    ...(cacheDir ? { models: new ModelCache(new FsStore(cacheDir)) } : {}),
    engines: [
      // The package's "node" export condition picks ort.node.min.mjs: WASM only, files from disk.
      createOnnxEngine({ loadOrt: () => import('onnxruntime-web') as Promise<Ort>, backends: ['wasm'] }),
      createTfjsEngine({ backends: ['wasm', 'cpu'], wasmPaths: tfjsWasmDir() }),
    ],
    ...rest,
  });
}
