import type { Aggregates, BackendAttempt, BackendName, DriftReport, ModelArtifact, MonitorConfig, MonitorReport, NamedTensors, TensorSpec, ValidationOptions } from '@edgewise/core';

/**
 * The messages between the main thread and the Edgewise worker, typed in one place and versioned:
 * the client checks `protocolVersion()` first, so a stale cached worker script fails loudly instead
 * of misbehaving.
 */
export const PROTOCOL_VERSION = 2;

/** Engine settings the worker needs; plain strings so they survive structured clone. */
export interface WorkerEngineConfig {
  /** onnxruntime-web's wasmPaths (prefix, or {wasm, mjs} URLs). */
  ortWasmPaths?: string | Record<string, string>;
  /** @tensorflow/tfjs-backend-wasm's wasm files (prefix, or per-file URLs). */
  tfjsWasmPaths?: string | Record<string, string>;
  /** IndexedDB database of the model cache (default 'edgewise-models'). */
  storeName?: string;
}

/** LoadModelOptions without the parts that cannot be cloned. */
export interface WorkerLoadRequest {
  source?: string | ArrayBuffer | Uint8Array | ModelArtifact;
  manifest?: string;
  version?: string;
  engine?: string;
  backends?: BackendName[];
  numThreads?: number;
  validation?: ValidationOptions | false;
  /** Plain data (baseline object or absolute URL, declarative features), so it clones. */
  monitor?: MonitorConfig | false;
  select?: 'first' | 'fastest';
  probe?: NamedTensors;
  probeRuns?: number;
}

/** A model's state as the main thread mirrors it. */
export interface WorkerModelState {
  engine: string;
  backend: BackendName;
  attempts: BackendAttempt[];
  /** The preference list in force (the engine's default list when none was given). */
  preferences: BackendName[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export type WorkerModelEvent =
  | { type: 'backend-attempt'; attempt: BackendAttempt }
  | { type: 'fallback'; from: string; to: string; reason: string }
  | { type: 'progress'; loaded: number; total: number; file: string };

export interface WorkerRunResult {
  outputs: NamedTensors;
  /**
   * Only when it changed since the worker last sent it (a run-time fallback): cloning the specs and
   * attempts on every run cost more than the bookkeeping.
   */
  state?: WorkerModelState;
}

/** What the worker exposes through comlink. */
export interface WorkerApi {
  protocolVersion(): number;
  configure(config: WorkerEngineConfig): void;
  load(id: number, request: WorkerLoadRequest, onEvent: (event: WorkerModelEvent) => void): Promise<WorkerModelState>;
  run(id: number, inputs: NamedTensors): Promise<WorkerRunResult>;
  dispose(id: number): Promise<void>;
  drift(id: number): Promise<DriftReport>;
  health(id: number): Promise<MonitorReport>;
  snapshot(id: number, reset: boolean): Promise<Uint8Array>;
  aggregates(id: number, reset: boolean): Promise<Aggregates>;
  /**
   * Hands back (transfers) the inputs of a run that failed with EngineWedgedError, so the main thread
   * can retry them in a fresh worker without having kept a copy.
   */
  reclaimInputs(id: number): NamedTensors | undefined;
  /** Fault injection for tests and chaos drills: the next run kills the worker with an uncaught error. */
  crashOnNextRun(): void;
  /** Fault injection: destroys this worker's WebGPU devices (see Runtime.simulateDeviceLoss). */
  simulateDeviceLoss(): Promise<void>;
}
