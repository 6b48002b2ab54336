import { openOnFirstWorkingBackend } from './backend-selection.js';
import { openFastestBackend } from './fastest-backend.js';
import type { BackendName, Engine, EngineSession, ModelArtifact, SessionOptions } from './engine.js';
import { ModelMonitor, type DriftReport, type Inspection, type MonitorReport } from '@edgewise/drift';

/** What ModelMonitor.aggregates() returns: the report body, and features left out for lack of bins. */
export type Aggregates = ReturnType<ModelMonitor['aggregates']>;
import {
  AllBackendsFailedError,
  BackendError,
  DisposedError,
  EngineWedgedError,
  InputError,
  NoBaselineError,
  SuspiciousInputError,  describeError,
  type BackendAttempt,
} from './errors.js';
import { Emitter, type ModelEventListener, type ModelEventName } from './events.js';
import { SerialQueue } from './serial-queue.js';
import type { NamedTensors, TensorSpec } from './tensor.js';
import { validateInputs, type ValidationOptions } from './validate-inputs.js';

/**
 * A loaded model. The same interface whether it runs in this thread or in a Web Worker.
 *
 * @example
 * const { probabilities } = await model.run({ image: tensor('float32', pixels, [1, 784]) });
 * console.log(model.backend, model.attempts);
 */
export interface Model {
  readonly engine: string;
  /** Backend in use now; changes after a run-time fallback. */
  readonly backend: BackendName;
  /** Why each backend before the current one was skipped or abandoned, load and run time. */
  readonly attempts: readonly BackendAttempt[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Runs the model. Concurrent calls are queued, never rejected. */
  run(inputs: NamedTensors): Promise<NamedTensors>;
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
  /** Counts on fixed bins only: what an uplink may send (see @edgewise/wire). */
  aggregates(options?: { reset?: boolean }): Promise<Aggregates>;
  dispose(): Promise<void>;
}

export interface LocalModelOptions {
  backends: readonly BackendName[];
  session: SessionOptions;
  /** false turns input validation off (for callers that validated already). */
  validation: ValidationOptions | false;
  /**
   * Sketches inputs/outputs/latency; a monitor with no features still keeps counters and latency.
   * false: no monitoring at all.
   */
  monitor?: ModelMonitor | false;
  /** `select: 'fastest'`: time a probe on every working backend and keep the fastest. */
  fastest?: { probe?: NamedTensors; runs: number };
}

const NOT_INSPECTED: Inspection = { values: new Map() };
const now = () => globalThis.performance?.now() ?? Date.now();

/** A model whose engine session lives in this thread. */
export class LocalModel implements Model {
  private readonly queue = new SerialQueue();
  private readonly emitter = new Emitter();
  private readonly history: BackendAttempt[] = [];
  private session: EngineSession | undefined;
  private disposed = false;
  private readonly monitor: ModelMonitor;
  /** Run-time fallback order: `backends`, or fastest first after `select: 'fastest'`. */
  private order: readonly BackendName[];
  /** false when loaded with `monitor: false`: runs skip inspection and recording altogether. */
  private readonly monitoring: boolean;

  private constructor(
    private readonly engineImpl: Engine,
    private readonly artifact: ModelArtifact,
    private readonly options: LocalModelOptions,
  ) {
    this.monitor = options.monitor || new ModelMonitor();
    this.order = options.backends;
    this.monitoring = options.monitor !== false;
  }

  /** Loads the model on the first working backend of `options.backends`. */
  static async open(
    engine: Engine,
    artifact: ModelArtifact,
    options: LocalModelOptions,
    onAttempt?: (attempt: BackendAttempt) => void,
  ): Promise<LocalModel> {
    const model = new LocalModel(engine, artifact, options);
    if (options.fastest) {
      const { session, attempts, order } = await openFastestBackend(engine, artifact, options.backends, options.session, options.fastest.probe, options.fastest.runs, onAttempt);
      model.session = session;
      model.history.push(...attempts);
      model.order = order;
      return model;
    }
    const { session, attempts } = await openOnFirstWorkingBackend(engine, artifact, options.backends, options.session, 'load', onAttempt);
    model.session = session;
    model.history.push(...attempts);
    return model;
  }

  get engine(): string {
    return this.engineImpl.name;
  }
  get backend(): BackendName {
    return this.current().backend;
  }
  get attempts(): readonly BackendAttempt[] {
    return this.history;
  }
  /** The backend preference list in force: as given, or fastest first after `select: 'fastest'`. */
  get preferences(): readonly BackendName[] {
    return this.order;
  }
  get inputs(): readonly TensorSpec[] {
    return this.current().inputs;
  }
  get outputs(): readonly TensorSpec[] {
    return this.current().outputs;
  }

  on<K extends ModelEventName>(event: K, listener: ModelEventListener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  run(inputs: NamedTensors): Promise<NamedTensors> {
    return this.queue.push(() => this.runNow(inputs));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Queued behind pending runs so none of them sees a half-disposed session.
    await this.queue.push(async () => {
      await this.session?.dispose();
      this.session = undefined;
    });
  }

  private current(): EngineSession {
    if (this.disposed || !this.session) throw new DisposedError('Model');
    return this.session;
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

  private async runNow(inputs: NamedTensors): Promise<NamedTensors> {
    const session = this.current();
    const inspection = this.admit(inputs, session);
    const started = now();
    let outputs: NamedTensors;
    try {
      outputs = await session.run(inputs);
    } catch (error) {
      if (error instanceof InputError || error instanceof EngineWedgedError) {
        this.monitor.recordError();
        throw error;
      }
      outputs = await this.fallBackAndRetry(session, inputs, error).catch((retryError) => {
        this.monitor.recordError();
        throw retryError;
      });
    }
    if (this.monitoring) this.monitor.record(inspection, outputs, now() - started, this.backend);
    return outputs;
  }

  /** Validation and the monitor's circuit breaker: both reject before any engine work is done. */
  private admit(inputs: NamedTensors, session: EngineSession): Inspection {
    try {
      if (this.options.validation !== false) validateInputs(inputs, session.inputs, this.options.validation);
    } catch (error) {
      this.monitor.recordRejected();
      throw error;
    }
    if (!this.monitoring) return NOT_INSPECTED;
    const inspection = this.monitor.inspect(inputs);
    const bad = inspection.suspicious;
    if (bad && this.monitor.rejects) {
      this.monitor.recordRejected();
      throw new SuspiciousInputError(bad.feature, bad.value, bad.allowed === 'finite' ? 'finite values' : `[${bad.allowed[0]}, ${bad.allowed[1]}]`);
    }
    return inspection;
  }

  /** A run failed on the current backend: move to the next working one and retry once. */
  private async fallBackAndRetry(failed: EngineSession, inputs: NamedTensors, error: unknown): Promise<NamedTensors> {
    const reason = describeError(error);
    const failure: BackendAttempt = { backend: failed.backend, outcome: 'failed', phase: 'run', reason };
    this.history.push(failure);
    const remaining = this.order.slice(this.order.indexOf(failed.backend) + 1);
    if (remaining.length === 0) {
      // Engines already raise BackendErrors naming the backend; wrapping again would say it twice.
      throw error instanceof BackendError && error.backend === failed.backend ? error : new BackendError(failed.backend, reason, { cause: error });
    }
    // The failed session may hold a lost device; release it before claiming new resources.
    this.session = undefined;
    await failed.dispose().catch(() => undefined);
    let next;
    try {
      next = await openOnFirstWorkingBackend(this.engineImpl, this.artifact, remaining, this.options.session, 'run');
    } catch (reopenError) {
      if (reopenError instanceof EngineWedgedError) throw reopenError;
      const attempts = reopenError instanceof AllBackendsFailedError ? reopenError.attempts : [];
      this.history.push(...attempts);
      throw new AllBackendsFailedError([failure, ...attempts], { cause: error });
    }
    this.session = next.session;
    this.history.push(...next.attempts);
    this.monitor.recordFallback();
    this.emitter.emit('fallback', { from: failed.backend, to: next.session.backend, reason });
    return next.session.run(inputs);
  }
}
