/**
 * `@edgewise/web`: Edgewise in browsers. createWebRuntime() runs models in this thread or in the
 * Edgewise worker (`worker: true`); serveModels() builds a worker entry of your own.
 */
export { createWebRuntime, type WebRuntime, type WebRuntimeOptions } from './web-runtime.js';
export type { WorkerHost, WorkerHostOptions } from './worker-host.js';
export { createBrowserEngines } from './browser-engines.js';
export type { WorkerEngineConfig } from './worker-protocol.js';
export { serveModels, type ServeModelsOptions } from './worker-service.js';
