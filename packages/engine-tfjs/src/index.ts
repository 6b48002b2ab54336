export { createTfjsEngine, type TfjsEngineOptions } from './tfjs-engine.js';
export { classifyTfjsError, type TfjsFailure } from './tfjs-failures.js';
