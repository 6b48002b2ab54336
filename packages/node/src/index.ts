export { createNodeRuntime, type NodeRuntimeOptions } from './node-runtime.js';
export { readNodeBytes } from './read-bytes.js';
export { FsStore } from './fs-store.js';
export { FileOutbox } from './file-outbox.js';
export { nodeFileSystem } from './node-file-system.js';
