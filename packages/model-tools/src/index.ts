export * from './seeded-random.js';
export * from './onnx-graph.js';
export * from './dense-network.js';
export * from './dense-network-tfjs.js';
