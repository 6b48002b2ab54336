/**
 * The slice of the onnxruntime-web module this engine uses. Typed structurally so the same engine
 * runs on the browser build ('onnxruntime-web/all', with WebGL), the Node build, or
 * onnxruntime-node, whichever the platform package passes in.
 */
export type Ort = typeof import('onnxruntime-web');
