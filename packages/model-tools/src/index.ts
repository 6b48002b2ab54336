export * from './seeded-random.js';
export * from './onnx-graph.js';
export * from './dense-network.js';
export * from './dense-network-tfjs.js';
export * from './quantize.js';
export * from './quantize-errors.js';
export * from './quantize-weights.js';
