export { createOnnxEngine, type OnnxEngineOptions } from './onnx-engine.js';
export type { Ort } from './ort-types.js';
