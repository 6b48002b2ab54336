export { createTfjsEngine, type TfjsEngineOptions } from './tfjs-engine.js';
