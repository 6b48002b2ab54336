import { BACKEND_NAMES } from '@edgewise/wire';
import type { NamedTensors, TensorSpec } from './tensor.js';

/**
 * Lowercase registry keys of compute backends, in the vocabulary of both ORT and TF.js. The last
 * three are onnxruntime-react-native's mobile execution providers (Core ML on iOS, NNAPI on
 * Android, XNNPACK on both).
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

// One list, in the wire format, so the collector knows every backend a device may report.
export { BACKEND_NAMES };

/**
 * A model as bytes: the entry file name plus every file it needs (one .onnx file; or a TF.js
 * model.json and its weight shards). This is what stores cache and what crosses into a worker.
 */
export interface ModelArtifact {
  entry: string;
  files: Record<string, Uint8Array>;
}

/** Options an engine receives for one session. */
export interface SessionOptions {
  /** Threads for WASM backends; engines pick their own default when absent. */
  numThreads?: number;
}

/**
 * A loaded model bound to one backend. Engines implement this; callers use `Model` instead.
 *
 * What `run` throws decides what the model does next, so engines classify their runtime's failures:
 * `InputError` for the caller's data (the model stays on this backend), `BackendError` with a
 * `failure` ('device-lost', 'kernel-unsupported', 'out-of-memory', 'backend-unavailable') for the
 * backend (the model moves to the next one), `EngineWedgedError` when nothing more can run in this
 * thread. Anything else is decided by evidence: the same inputs are tried on the next backend, and
 * the model moves only if they run there.
 */
export interface EngineSession {
  readonly backend: BackendName;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  run(inputs: NamedTensors): Promise<NamedTensors>;
  dispose(): Promise<void>;
}

/**
 * Runs one model format. Two methods and a name, so a new runtime (onnxruntime-react-native, say)
 * is a small adapter.
 *
 * @example
 * runtime.registerEngine(createOnnxEngine());
 */
export interface Engine {
  /** Registry key, e.g. 'onnx' or 'tfjs'. */
  readonly name: string;
  /** Backends this engine can use on this platform, best first. */
  readonly backends: readonly BackendName[];
  /**
   * Names of further files the entry file refers to (TF.js weight shards). Engines whose model is a
   * single file return [].
   */
  companionFiles(entry: string, entryBytes: Uint8Array): string[];
  /** Creates a session on exactly this backend, or throws why it cannot. */
  createSession(artifact: ModelArtifact, backend: BackendName, options: SessionOptions): Promise<EngineSession>;
}
