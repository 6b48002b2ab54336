export { createOnnxEngine, type OnnxEngineOptions } from './onnx-engine.js';
export type { Ort } from './ort-types.js';
export { classifyOrtError, type OrtFailure } from './ort-failures.js';
