export { createNodeRuntime } from './node-runtime.js';
export { readNodeBytes } from './read-bytes.js';
