export { createWebRuntime, type WebRuntime, type WebRuntimeOptions } from './web-runtime.js';
export { WorkerHost, type WorkerHostOptions } from './worker-host.js';
export { createBrowserEngines } from './browser-engines.js';
export { installErrorTransfer } from './error-transfer.js';
export { PROTOCOL_VERSION, type WorkerApi, type WorkerEngineConfig, type WorkerLoadRequest } from './worker-protocol.js';
export { serveModels, type ServeModelsOptions } from './worker-service.js';
