/**
 * The script-tag build's entry (`@edgewise/web/dist/bundle/edgewise.js`): everything a plain page
 * needs in one ES module, with no bundler. onnxruntime-web's and TF.js's runtime files are copied
 * beside it, so by default they are fetched from next to this file.
 *
 * @example
 * <script type="module">
 *   import { createWebRuntime, tensor } from './edgewise/edgewise.js';
 *   const model = await createWebRuntime().loadModel({ source: './model.onnx', engine: 'onnx', worker: true });
 * </script>
 */
import { createWebRuntime as createRuntimeFor, type WebRuntime, type WebRuntimeOptions } from './web-runtime.js';

export * from '@edgewise/core';
export { createUplink, IndexedDBOutbox, MemoryOutbox, type UplinkOptions } from '@edgewise/uplink';
export { createBrowserEngines, serveModels, type WebRuntime, type WebRuntimeOptions } from './index.js';

const here = new URL('./', import.meta.url).href;

/** createWebRuntime with the runtime files' location defaulting to this bundle's folder. */
export function createWebRuntime(options: WebRuntimeOptions = {}): WebRuntime {
  return createRuntimeFor({ ortWasmPaths: here, tfjsWasmPaths: here, ...options });
}
