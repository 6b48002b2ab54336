import { openOnFirstWorkingBackend } from './backend-selection.js';
import type { BackendName, Engine, EngineSession, ModelArtifact, SessionOptions } from './engine.js';
import { AllBackendsFailedError, DisposedError, EngineWedgedError, NoBaselineError, SuspiciousInputError, describeError, type BackendAttempt } from './errors.js';
import { Emitter, type ModelEventListener, type ModelEventName } from './events.js';
import { classifyFailure } from './failure.js';
import { openFastestBackend } from './fastest-backend.js';
import { initialState, type LifecyclePolicy, type LifecycleStatus } from './lifecycle.js';
import { LifecycleDriver, type LifecycleIo } from './lifecycle-driver.js';
import { disabledObserver } from './disabled-observer.js';
import type { Aggregates, Counters, DriftReport, Inspection, ModelObserver, MonitorReport, WindowAggregates } from './monitoring.js';
import { RunDeadline } from './run-deadline.js';
import { SerialQueue } from './serial-queue.js';
import { ShadowRunner, type ShadowCandidate } from './shadow.js';
import type { NamedTensors, TensorSpec } from './tensor.js';
import { compileInputValidator, type ValidationOptions } from './validate-inputs.js';

/**
 * A loaded model. The same interface whether it runs in this thread or in a Web Worker.
 *
 * @example
 * const { probabilities } = await model.run({ image: tensor('float32', pixels, [1, 784]) });
 * console.log(model.backend, model.state, model.attempts);
 */
export interface Model {
  readonly engine: string;
  /** Backend in use now (or last used, while failed); changes after a run-time fallback. */
  readonly backend: BackendName;
  /** Where the model is in its lifecycle: 'ready' in normal operation (see README, "What happens when …"). */
  readonly state: LifecycleStatus;
  /** Why each backend before the current one was skipped or abandoned, load and run time. */
  readonly attempts: readonly BackendAttempt[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * Runs the model. Concurrent calls are queued, never rejected. With `runId` (a string of your
   * choosing, ≤ 64 characters), the prediction is kept for a later `feedback(runId, label)`.
   */
  run(inputs: NamedTensors, options?: RunOptions): Promise<NamedTensors>;
  /**
   * Ground truth arriving later (a user's correction, a click) for a run made with `runId`: adds
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

export interface LocalModelOptions {
  backends: readonly BackendName[];
  session: SessionOptions;
  /** false turns input validation off (for callers that validated already). */
  validation: ValidationOptions | false;
  /** What watches the runs (see ModelObserver); false or absent: nothing does. */
  monitor?: ModelObserver | false;
  /** `select: 'fastest'`: time a probe on every working backend and keep the fastest. */
  fastest?: { probe?: NamedTensors; runs: number };
  recovery?: Partial<RecoveryOptions>;
  /** Monitor state carried over from an earlier home of this model (a worker that was replaced). */
  resume?: { snapshot?: Uint8Array; counters?: Partial<Counters> };
  /** A candidate run beside this model on a sample of runs (loadModel `shadow`). */
  shadow?: { candidate: ShadowCandidate; sample: number; maxPending?: number };
}

/** Throws a TypeError naming a bad label: a class index, or one per batch item. */
export function checkLabel(label: unknown): void {
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (Array.isArray(label) ? label.length === 0 || !label.every(ok) : !ok(label)) {
    throw new TypeError(`feedback(): "label" must be a class index (an integer ≥ 0) or a non-empty array of them, one per batch item; received ${JSON.stringify(label)}.`);
  }
}

const NOT_INSPECTED: Inspection = { values: new Map() };
const now = () => globalThis.performance?.now() ?? Date.now();

/** Releases a session without letting a stuck one (a hung run holds it) stall the model. */
async function release(session: EngineSession | undefined): Promise<void> {
  if (!session) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([session.dispose().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
}

/** A model whose engine session lives in this thread. */
export class LocalModel implements Model {
  private readonly queue = new SerialQueue();
  private readonly emitter = new Emitter();
  private readonly history: BackendAttempt[] = [];
  private readonly monitor: ModelObserver;
  /** false when loaded with `monitor: false`: runs skip inspection and recording altogether. */
  private readonly monitoring: boolean;
  private readonly driver: LifecycleDriver;
  private readonly deadline: RunDeadline;
  private session: EngineSession | undefined;
  /** While verifying: the session on the next backend that the failed inputs are tried on. */
  private candidate: EngineSession | undefined;
  private specs!: { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] };
  /** Compiled for the current signature (a fallback to a backend with other metadata recompiles it). */
  private validate: (inputs: unknown) => void = () => {};
  /** Sessions that have completed a run: later runs get the normal deadline. */
  private readonly warm = new WeakSet<EngineSession>();
  /** Set while a failure's effects are still being carried out; the next run waits for it. */
  private recovering: Promise<void> | undefined;
  private disposal: Promise<void> | undefined;
  private readonly shadow: ShadowRunner | undefined;

  private constructor(
    private readonly engineImpl: Engine,
    private readonly artifact: ModelArtifact,
    private readonly options: LocalModelOptions,
    session: EngineSession,
    order: readonly BackendName[],
  ) {
    this.monitor = options.monitor || disabledObserver();
    this.monitoring = Boolean(options.monitor);
    if (options.resume?.snapshot) this.monitor.restore(options.resume.snapshot);
    for (const [key, n] of Object.entries(options.resume?.counters ?? {})) this.monitor.counters[key as keyof Counters] += n ?? 0;
    this.session = session;
    this.setSpecs(session);
    const shadow = options.shadow;
    if (shadow) this.shadow = new ShadowRunner(shadow.candidate, shadow.sample, (outcome) => this.monitor.recordShadow?.(outcome), shadow.maxPending);
    const recovery = { ...DEFAULT_RECOVERY, ...options.recovery };
    const policy: LifecyclePolicy = { scope: 'session', retryBaseMs: recovery.retryBaseMs, retryMaxMs: recovery.retryMaxMs };
    this.driver = new LifecycleDriver(initialState(session.backend, order), policy, (from, to, state) => this.emitter.emit('state', { from, to, error: state.error }));
    this.deadline = new RunDeadline(recovery.runTimeoutMs, recovery.firstRunTimeoutMs ?? recovery.runTimeoutMs * 5, (ms) => new EngineWedgedError(this.backend, `The ${engineImpl.name} run on "${this.backend}" did not finish within ${ms} ms; the engine is stuck in this thread.`));
  }

  /** Loads the model on the first working backend of `options.backends` (or the fastest). */
  static async open(engine: Engine, artifact: ModelArtifact, options: LocalModelOptions, onAttempt?: (attempt: BackendAttempt) => void): Promise<LocalModel> {
    const opened = options.fastest
      ? await openFastestBackend(engine, artifact, options.backends, options.session, options.fastest.probe, options.fastest.runs, onAttempt)
      : { ...(await openOnFirstWorkingBackend(engine, artifact, options.backends, options.session, 'load', onAttempt)), order: options.backends };
    const model = new LocalModel(engine, artifact, options, opened.session, opened.order);
    model.history.push(...opened.attempts);
    return model;
  }

  get engine(): string {
    return this.engineImpl.name;
  }
  get backend(): BackendName {
    return this.driver.state.backend;
  }
  get state(): LifecycleStatus {
    return this.driver.state.status;
  }
  get attempts(): readonly BackendAttempt[] {
    return this.history;
  }
  /** The backend preference list in force: as given, or fastest first after `select: 'fastest'`. */
  get preferences(): readonly BackendName[] {
    return this.driver.state.order;
  }
  get inputs(): readonly TensorSpec[] {
    return this.specs.inputs;
  }
  get outputs(): readonly TensorSpec[] {
    return this.specs.outputs;
  }

  on<K extends ModelEventName>(event: K, listener: ModelEventListener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  run(inputs: NamedTensors, options?: RunOptions): Promise<NamedTensors> {
    if (this.disposal) return Promise.reject(new DisposedError('Model'));
    const runId = options?.runId;
    if (runId !== undefined) {
      try {
        checkRunId(runId, 'run()');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.queue.push(() => this.runNow(inputs, runId));
  }

  async feedback(runId: string, label: number | readonly number[]): Promise<boolean> {
    checkRunId(runId, 'feedback()');
    checkLabel(label);
    return this.queue.push(async () => this.monitor.feedback(runId, label));
  }

  dispose(): Promise<void> {
    // Queued behind every run already asked for, so they finish on a whole session.
    this.disposal ??= this.queue.push(async () => {
      if (this.recovering) await this.recovering;
      await this.driver.drive({ type: 'dispose' }, this.io({}, NOT_INSPECTED));
      await release(this.candidate);
      await this.shadow?.dispose();
      this.deadline.stop();
    });
    return this.disposal;
  }

  async drift(): Promise<DriftReport> {
    const report = this.monitor.drift();
    if (!report) throw new NoBaselineError();
    return report;
  }

  async health(): Promise<MonitorReport> {
    return this.monitor.report();
  }

  async snapshot(options: { reset?: boolean } = {}): Promise<Uint8Array> {
    // Queued so a snapshot never splits a run's updates.
    return this.queue.push(async () => {
      const bytes = this.monitor.snapshot();
      if (options.reset) this.monitor.reset();
      return bytes;
    });
  }

  async aggregates(options: { reset?: boolean } = {}): Promise<Aggregates> {
    return this.queue.push(async () => {
      const result = this.monitor.aggregates();
      if (options.reset) this.monitor.reset();
      return result;
    });
  }

  async takeWindows(options: { includeOpen?: boolean } = {}): Promise<WindowAggregates[]> {
    return this.queue.push(async () => this.monitor.takeWindows(options.includeOpen ?? false));
  }

  private async runNow(inputs: NamedTensors, runId?: string): Promise<NamedTensors> {
    if (this.recovering) await this.recovering;
    const inspection = this.admit(inputs);
    const session = this.session;
    if (this.driver.state.status !== 'ready' || !session) return this.recover({ type: 'run-while-failed', now: now() }, inputs, inspection, runId);
    const started = now();
    let outputs: NamedTensors;
    try {
      outputs = await this.deadline.guard(session.run(inputs), !this.warm.has(session));
    } catch (error) {
      return this.recover({ type: 'run-failed', failure: classifyFailure(error, session.backend), now: now() }, inputs, inspection, runId);
    }
    this.warm.add(session);
    const latency = now() - started;
    if (this.monitoring) this.monitor.record(inspection, outputs, latency, session.backend, runId);
    this.shadow?.offer(inputs, outputs, latency);
    return outputs;
  }

  private recover(event: Parameters<LifecycleDriver['drive']>[0], inputs: NamedTensors, inspection: Inspection, runId?: string): Promise<NamedTensors> {
    const { outcome, done } = this.driver.recover(event, this.io(inputs, inspection, runId));
    const recovering = done.finally(() => {
      if (this.recovering === recovering) this.recovering = undefined;
    });
    this.recovering = recovering;
    return outcome;
  }

  private setSpecs(session: EngineSession): void {
    this.specs = { inputs: session.inputs, outputs: session.outputs };
    if (this.options.validation !== false) this.validate = compileInputValidator(session.inputs, this.options.validation);
  }

  /** Validation and the monitor's circuit breaker: both reject before any engine work is done. */
  private admit(inputs: NamedTensors): Inspection {
    try {
      this.validate(inputs);
    } catch (error) {
      this.monitor.count('rejected');
      throw error;
    }
    if (!this.monitoring) return NOT_INSPECTED;
    const inspection = this.monitor.inspect(inputs);
    const bad = inspection.suspicious;
    if (bad && this.monitor.rejects) {
      this.monitor.count('rejected');
      throw new SuspiciousInputError(bad.feature, bad.value, bad.allowed === 'finite' ? 'finite values' : `[${bad.allowed[0]}, ${bad.allowed[1]}]`);
    }
    return inspection;
  }

  /** The lifecycle's effects, carried out with this thread's engine sessions. */
  private io(inputs: NamedTensors, inspection: Inspection, runId?: string): LifecycleIo {
    return {
      release: async () => {
        const session = this.session;
        this.session = undefined;
        await release(session);
      },
      releaseCandidate: async () => {
        const candidate = this.candidate;
        this.candidate = undefined;
        await release(candidate);
      },
      open: (candidates, role) => this.openAgain(candidates, role),
      renewThread: async () => {
        throw new Error('A model in this thread cannot renew its thread.');
      },
      attempt: async (on) => {
        const session = on === 'candidate' ? this.candidate! : this.session!;
        const started = now();
        try {
          const outputs = await this.deadline.guard(session.run(inputs), !this.warm.has(session));
          this.warm.add(session);
          if (this.monitoring) this.monitor.record(inspection, outputs, now() - started, session.backend, runId);
          return { outputs };
        } catch (error) {
          return { failure: classifyFailure(error, session.backend) };
        }
      },
      adoptCandidate: ({ from, reason }) => {
        this.history.push({ backend: from, outcome: 'failed', phase: 'run', reason });
        this.history.push({ backend: this.candidate!.backend, outcome: 'selected', phase: 'run' });
        this.session = this.candidate;
        this.setSpecs(this.candidate!);
        this.candidate = undefined;
      },
      count: (counter) => this.monitor.count(counter),
      emitFallback: ({ from, to, reason }) => this.emitter.emit('fallback', { from, to, reason }),
    };
  }

  private async openAgain(candidates: readonly BackendName[], role: 'replacement' | 'candidate' | 'reopen') {
    // Leaving a backend after a run failed on it is itself an attempt worth recording.
    const failure = role === 'replacement' ? this.driver.state.failure : undefined;
    const left: BackendAttempt[] = failure ? [{ backend: failure.backend, outcome: 'failed', phase: 'run', reason: describeError(failure.error) }] : [];
    try {
      const { session, attempts } = await openOnFirstWorkingBackend(this.engineImpl, this.artifact, candidates, this.options.session, 'run');
      if (role === 'candidate') {
        this.candidate = session;
      } else {
        this.history.push(...left, ...attempts);
        this.session = session;
        this.setSpecs(session);
      }
      return { backend: session.backend };
    } catch (error) {
      if (!(error instanceof AllBackendsFailedError)) return { error };
      if (role !== 'candidate') this.history.push(...left, ...error.attempts);
      return { error: new AllBackendsFailedError([...left, ...error.attempts], { cause: failure?.error ?? error }) };
    }
  }
}
