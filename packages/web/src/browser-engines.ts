import type { Engine } from '@edgewise/core';
import { createOnnxEngine } from '@edgewise/engine-onnx';
import { createTfjsEngine } from '@edgewise/engine-tfjs';
import type { WorkerEngineConfig } from './worker-protocol.js';

/** The engines a browser thread (main or worker) uses; configured identically on both. */
export function createBrowserEngines(config: WorkerEngineConfig = {}): Engine[] {
  return [createOnnxEngine({ wasmPaths: config.ortWasmPaths }), createTfjsEngine({ wasmPaths: config.tfjsWasmPaths })];
}
