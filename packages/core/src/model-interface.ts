import type { DriftReport, MonitorReport, Aggregates, WindowAggregates } from './monitoring.js';
import type { BackendAttempt } from './errors.js';
import type { BackendName } from './engine.js';
import type { ModelEventListener, ModelEventName } from './events.js';
import type { LifecycleStatus } from './lifecycle.js';
import type { NamedTensors, TensorSpec } from './tensor.js';

/* The model's public face, the same in this thread and in a worker, and the checks both sides share. */

/**
 * A loaded model. The same interface whether it runs in this thread or in a Web Worker.
 *
 * @example
 * const { probabilities } = await model.run({ image: tensor('float32', pixels, [1, 784]) });
 * console.log(model.backend, model.state, model.attempts);
 */
export interface Model {
  readonly engine: string;
  /**
   * The manifest version in use, for a model loaded by manifest (undefined otherwise). Changes when
   * the canary guard rolls the model back to the previous version.
   */
  readonly version?: string;
  /** Backend in use now (or last used, while failed); changes after a run-time fallback. */
  readonly backend: BackendName;
  /** Where the model is in its lifecycle: 'ready' in normal operation (see README, "What happens when …"). */
  readonly state: LifecycleStatus;
  /** Why each backend before the current one was skipped or abandoned, load and run time. */
  readonly attempts: readonly BackendAttempt[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * Runs the model. Concurrent calls are queued, never rejected. The prediction is kept for a later
   * `feedback(id, label)` under `runId` (a string of your choosing, ≤ 64 characters) or, for a
   * monitored classifier, under an id minted for the run: `runIdOf(outputs)` reads either.
   */
  run(inputs: NamedTensors, options?: RunOptions): Promise<NamedTensors>;
  /**
   * Ground truth arriving later (a user's correction, a click) for a run (its `runIdOf` id): adds
   * to the open window's confusion counts, accuracy and calibration (accuracy per confidence bin).
   * Resolves false when the run is unknown, already labelled or older than `monitor.labels.maxAgeMs`.
   *
   * @example
   * await model.run({ image }, { runId: 'req-42' });
   * // … the user says it was a 7
   * await model.feedback('req-42', 7);
   */
  feedback(runId: string, label: number | readonly number[]): Promise<boolean>;
  on<K extends ModelEventName>(event: K, listener: ModelEventListener<K>): () => void;
  /**
   * Drift of the monitored input features against the baseline: per-feature scores and a verdict.
   * Throws NoBaselineError when loaded without `monitor.baseline`.
   */
  drift(): Promise<DriftReport>;
  /** Counters (runs, errors, rejected, fallbacks), backends used, latency and confidence quantiles, drift. */
  health(): Promise<MonitorReport>;
  /** The monitor's full binary snapshot (sketches retain sample values: keep it on the device). */
  snapshot(options?: { reset?: boolean }): Promise<Uint8Array>;
  /** Counts on fixed bins only, cumulative: what an uplink may send (see @edgewise/wire). */
  aggregates(options?: { reset?: boolean }): Promise<Aggregates>;
  /**
   * The uplink's view: windows closed since the last call (plus, with `includeOpen`, what the open
   * window gained since last taken). Taking them changes nothing that `drift()` or `health()` read.
   *
   * @example
   * for (const { window, body } of await model.takeWindows()) send({ window, ...body });
   */
  takeWindows(options?: { includeOpen?: boolean }): Promise<WindowAggregates[]>;
  /** Lets runs already queued finish, then releases the session; later runs reject with E_DISPOSED. */
  dispose(): Promise<void>;
}

/** Per-run options of `model.run`. */
export interface RunOptions {
  /** Names the run for a later `feedback()`. */
  runId?: string;
}

/** Throws a TypeError naming a bad runId; what run() and feedback() accept. */
export function checkRunId(runId: unknown, where: string): void {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 64) {
    throw new TypeError(`${where}: "runId" must be a string of 1 to 64 characters; received ${typeof runId === 'string' ? `${runId.length} characters` : typeof runId}.`);
  }
}

/** How the model recovers: deadlines and the reopen backoff (see LoadModelOptions.recovery). */
export interface RecoveryOptions {
  /** A run that has not finished after this many ms is treated as a hung engine. Default 60 000. */
  runTimeoutMs: number;
  /** The same for a session's first run (shader compilation, weight upload). Default 5 × runTimeoutMs. */
  firstRunTimeoutMs?: number;
  /** While failed, the first reopen is tried this long after the failure, then twice as long each time, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = { runTimeoutMs: 60_000, retryBaseMs: 1_000, retryMaxMs: 60_000 };

/** Throws a TypeError naming a bad label: a class index, or one per batch item. */
export function checkLabel(label: unknown): void {
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (Array.isArray(label) ? label.length === 0 || !label.every(ok) : !ok(label)) {
    throw new TypeError(`feedback(): "label" must be a class index (an integer ≥ 0) or a non-empty array of them, one per batch item; received ${JSON.stringify(label)}.`);
  }
}
