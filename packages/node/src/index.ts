export { createNodeRuntime } from './node-runtime.js';
export { readNodeBytes } from './read-bytes.js';
export { FsStore } from './fs-store.js';
