import { withRunId } from './run-id.js';
import { openOnFirstWorkingBackend } from './backend-selection.js';
import type { CanaryOptions } from './canary.js';
import { CanaryGuard, type CanaryVerdict } from './canary-guard.js';
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
import { checkLabel, checkRunId, DEFAULT_RECOVERY, type Model, type RecoveryOptions, type RunOptions } from './model-interface.js';

export { checkLabel, checkRunId, DEFAULT_RECOVERY, type Model, type RecoveryOptions, type RunOptions } from './model-interface.js';

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
  /** The manifest version this artifact is (Model.version). */
  version?: string;
  /**
   * This model is a canary (loadModel `canary`): `reference` is the previous version's artifact,
   * opened beside it on the same backend; `rollback` records a rollback in the store.
   */
  canary?: { reference: ModelArtifact; previous: string; options: Required<CanaryOptions>; rollback: () => Promise<unknown>; passed?: () => Promise<unknown>; crashes?: number };
}

const NOT_INSPECTED: Inspection = { values: new Map() };
const now = () => globalThis.performance?.now() ?? Date.now();

/** Waits for `work` (never rejecting) for at most `ms`. */
async function within(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Releases a session without letting a stuck one (a hung run holds it) stall the model. */
async function release(session: EngineSession | undefined): Promise<void> {
  if (session) await within(session.dispose(), 2000);
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
  private readonly guard: CanaryGuard | undefined;
  /** The previous version's files while guarding; dropped at the verdict, so a passed canary does not keep them in memory. */
  private referenceArtifact: ModelArtifact | undefined;
  /** The previous version's session while the canary guard uses it as the reference. */
  private reference: EngineSession | undefined;
  private currentVersion: string | undefined;
  /** The canary verdict being carried out (swap, store rollback, event). */
  private settling: Promise<void> | undefined;
  /** Set while open() settles a verdict reached at load: its event waits until the caller can listen. */
  private opening = true;

  private constructor(
    private readonly engineImpl: Engine,
    /** What (re)opens and fallbacks load; the previous version's after a canary rollback. */
    private artifact: ModelArtifact,
    private readonly options: LocalModelOptions,
    session: EngineSession,
    order: readonly BackendName[],
    reference?: EngineSession,
  ) {
    this.monitor = options.monitor || disabledObserver();
    this.monitoring = Boolean(options.monitor);
    // Before the restore: a moved model's open window of another version is kept apart from this one's.
    this.monitor.setVersion?.(options.version);
    if (options.resume?.snapshot) this.monitor.restore(options.resume.snapshot);
    const carried = options.resume?.counters;
    if (carried && this.monitor.addCounters) this.monitor.addCounters(carried);
    else for (const [key, n] of Object.entries(carried ?? {})) this.monitor.counters[key as keyof Counters] += n ?? 0;
    this.session = session;
    this.setSpecs(session);
    const shadow = options.shadow;
    if (shadow) this.shadow = new ShadowRunner(shadow.candidate, shadow.sample, (outcome) => this.monitor.recordShadow?.(outcome), shadow.maxPending);
    this.currentVersion = options.version;
    if (options.canary && reference) {
      this.reference = reference;
      this.referenceArtifact = options.canary.reference;
      // Held here only, so dropping it at the verdict frees the bytes (the options object lives as long as the model).
      (options.canary as { reference?: ModelArtifact }).reference = undefined;
      this.guard = new CanaryGuard(reference, options.version ?? '', options.canary.previous, options.canary.options, (verdict) => (this.settling = this.settleCanary(verdict)), undefined, options.canary.crashes);
    }
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
    // The reference opens where the canary runs, so a rollback can swap it in without a backend change.
    const reference = options.canary && (await openOnFirstWorkingBackend(engine, options.canary.reference, [opened.session.backend], options.session, 'load').then((r) => r.session, () => undefined));
    const model = new LocalModel(engine, artifact, options, opened.session, opened.order, reference);
    model.history.push(...opened.attempts);
    // A canary that crashed earlier workers is rolled back here, so this model's first run is the previous version's.
    model.guard?.judgeCarried();
    await model.settling;
    model.opening = false;
    return model;
  }

  get engine(): string {
    return this.engineImpl.name;
  }
  get version(): string | undefined {
    return this.currentVersion;
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
  /** The canary version being guarded, until its verdict (the worker mirrors it to count crashes). */
  get guardedVersion(): string | undefined {
    return this.guard?.guarding ? this.guard.version : undefined;
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
      // A reference run that hangs must not hold up dispose: its session is released regardless.
      await within(this.guard?.stop(), 2000);
      await release(this.reference);
      this.reference = undefined;
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
    const report = this.monitor.report();
    return this.guard ? { ...report, canary: this.guard.status() } : report;
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
    if (this.driver.state.status !== 'ready' || !session) return this.guarded(inputs, this.recover({ type: 'run-while-failed', now: now() }, inputs, inspection, runId));
    const started = now();
    let outputs: NamedTensors;
    try {
      outputs = await this.deadline.guard(session.run(inputs), !this.warm.has(session));
    } catch (error) {
      return this.guarded(inputs, this.recover({ type: 'run-failed', failure: classifyFailure(error, session.backend), now: now() }, inputs, inspection, runId));
    }
    this.warm.add(session);
    const latency = now() - started;
    if (this.monitoring) withRunId(outputs, this.monitor.record(inspection, outputs, latency, session.backend, runId));
    this.shadow?.offer(inputs, outputs, latency);
    if (this.guard?.guarding) this.guard.observe(inputs, outputs, latency);
    return outputs;
  }

  /** A run that went through recovery: the canary guard counts how it ended (no latency to compare). */
  private guarded(inputs: NamedTensors, outcome: Promise<NamedTensors>): Promise<NamedTensors> {
    const guard = this.guard;
    if (!guard?.guarding) return outcome;
    return outcome.then(
      (outputs) => (guard.observe(inputs, outputs), outputs),
      (error: unknown) => {
        guard.failed(inputs);
        throw error;
      },
    );
  }

  /** The guard's verdict: release the reference (passed), or roll back to it in the store and here. */
  private async settleCanary(verdict: CanaryVerdict): Promise<void> {
    await this.guard!.stop();
    const reference = this.reference;
    this.reference = undefined;
    if (verdict.outcome === 'rolled-back') {
      // The swap first (queued like a run, so no run is split between versions): every run after it
      // gets the previous version's answer, while the store's rollback (locks, storage) follows.
      const swapped = await this.queue.push(async () => {
        const adopted = await this.adoptReference(reference, this.referenceArtifact!);
        // The verdict is the canary's, counted with its runs; when the swap took, the runs after
        // it are the previous version's and go to the uplink under that version.
        this.monitor.recordCanary?.(verdict);
        if (adopted) {
          this.currentVersion = verdict.previous;
          this.monitor.setVersion?.(verdict.previous);
        }
        return adopted;
      });
      await this.options.canary!.rollback().catch((error: unknown) => (verdict.rollbackError = describeError(error)));
      if (!swapped && !this.disposal) verdict.rollbackError ??= `the previous version did not open on "${this.backend}"; this model keeps running the canary, later loads get the previous version`;
    } else {
      await release(reference);
      // Remembered in the store, so the next load of this version is not guarded again. A store
      // that cannot record it only costs a second guard later.
      await this.options.canary!.passed?.().catch(() => undefined);
    }
    // Either way the previous version's bytes are no longer needed here (a rollback made them the artifact).
    this.referenceArtifact = undefined;
    if (verdict.outcome !== 'rolled-back') this.monitor.recordCanary?.(verdict);
    // Reached during open(): nobody holds the model yet; the next task comes after the caller's `await loadModel()` and its `on('canary')`.
    if (this.opening) setTimeout(() => this.emitter.emit('canary', verdict), 0);
    else this.emitter.emit('canary', verdict);
  }

  /** Hot swap to the previous version: the caller's model object keeps working, now on the reference. */
  private async adoptReference(reference: EngineSession | undefined, artifact: ModelArtifact): Promise<boolean> {
    if (this.recovering) await this.recovering;
    if (this.disposal || !reference) return release(reference).then(() => false);
    const canary = this.session;
    if (this.driver.state.status !== 'ready' || !canary || canary.backend !== reference.backend) {
      await release(reference);
      // Failed: the next reopen loads the previous version. Moved to another backend since load: open it there.
      if (!canary || this.driver.state.status !== 'ready') return ((this.artifact = artifact), true);
      const reopened = await openOnFirstWorkingBackend(this.engineImpl, artifact, [canary.backend], this.options.session, 'run').catch(() => undefined);
      if (!reopened) return false;
      reference = reopened.session;
    }
    // From now on, reopens and fallbacks load the previous version too.
    this.artifact = artifact;
    this.session = reference;
    this.setSpecs(reference);
    await release(canary);
    return true;
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
          if (this.monitoring) withRunId(outputs, this.monitor.record(inspection, outputs, now() - started, session.backend, runId));
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
