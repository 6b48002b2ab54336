import type { Aggregates, BackendAttempt, CanaryVerdict, BackendName, DriftReport, LifecycleStatus, LoadModelOptions, ModelArtifact, MonitorConfig, MonitorReport, NamedTensors, TensorSpec, ValidationOptions, WindowAggregates } from '@edgewise/core';
import type { SerializedError } from '@edgewise/core/internal';

/**
 * The messages between the main thread and the Edgewise worker, typed in one place and versioned:
 * the client checks `protocolVersion()` first, so a stale cached worker script fails loudly instead
 * of misbehaving. Runs and heartbeats are tagged messages (one each way, buffers transferred);
 * everything else (load, health, …) goes through comlink.
 */
export const PROTOCOL_VERSION = 7;

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
  recovery?: LoadModelOptions['recovery'];
  /** A shadow candidate, loaded in the same worker (sources as absolute URLs or bytes). */
  shadow?: LoadModelOptions['shadow'];
  /** The canary guard's options (plain numbers), or false. */
  canary?: LoadModelOptions['canary'];
  /** When the model is relocated into a fresh worker: the monitor state it had. */
  resume?: LoadModelOptions['resume'];
}

/** A model's state as the main thread mirrors it. */
export interface WorkerModelState {
  engine: string;
  /** The manifest version in use (Model.version). */
  version?: string;
  backend: BackendName;
  status: LifecycleStatus;
  attempts: BackendAttempt[];
  /** The preference list in force (the engine's default list when none was given). */
  preferences: BackendName[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The canary version the model's guard is judging, until its verdict. */
  guarding?: string;
}

/**
 * Events during a load (fallbacks during runs travel in the run's reply instead), and the canary
 * guard's verdict, which comes after a reference run, between runs: sent when it happens, with the
 * version the model runs from then on.
 */
export type WorkerModelEvent =
  | { type: 'backend-attempt'; attempt: BackendAttempt }
  | { type: 'progress'; loaded: number; total: number; file: string }
  | { type: 'canary'; verdict: CanaryVerdict; version?: string };

export type FallbackEvent = { from: string; to: string; reason: string };

/**
 * Runs and heartbeats travel on the worker's own message channel (a MessagePort round trip measured
 * ~8 µs slower in Chromium 156), tagged `edgewise` so comlink, on the same channel, never sees them.
 */
export const RUN_TAG = 'edgewise-run';

/** Main thread → worker. */
export type RunPortRequest = { tag: typeof RUN_TAG; type: 'run'; seq: number; id: number; inputs: NamedTensors; runId?: string } | { tag: typeof RUN_TAG; type: 'ping'; seq: number };

/**
 * Worker → main thread, on the run port. `state` only when it changed since the worker last sent it
 * (a fallback, a failure): cloning specs and attempts on every run cost more than the bookkeeping.
 */
export type RunPortReply = { tag: typeof RUN_TAG } & (
  | { type: 'result'; seq: number; outputs: NamedTensors; runId?: string; state?: WorkerModelState; fallbacks?: FallbackEvent[] }
  | { type: 'error'; seq: number; error: SerializedError; state?: WorkerModelState; fallbacks?: FallbackEvent[] }
  | { type: 'pong'; seq: number }
);

/** What the worker exposes through comlink. */
export interface WorkerApi {
  protocolVersion(): number;
  configure(config: WorkerEngineConfig): void;
  load(id: number, request: WorkerLoadRequest, onEvent: (event: WorkerModelEvent) => void): Promise<WorkerModelState>;
  dispose(id: number): Promise<void>;
  drift(id: number): Promise<DriftReport>;
  health(id: number): Promise<MonitorReport>;
  snapshot(id: number, reset: boolean): Promise<Uint8Array>;
  aggregates(id: number, reset: boolean): Promise<Aggregates>;
  takeWindows(id: number, includeOpen: boolean): Promise<WindowAggregates[]>;
  feedback(id: number, runId: string, label: number | readonly number[]): Promise<boolean>;
  /**
   * Hands back (transfers) the inputs of a run that failed with EngineWedgedError, so the main thread
   * can retry them in a fresh worker without having kept a copy.
   */
  reclaimInputs(id: number): NamedTensors | undefined;
}
