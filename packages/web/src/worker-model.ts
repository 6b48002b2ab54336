import { checkLabel, checkRunId, compileInputValidator, withRunId } from '@edgewise/core/internal';
import { AllBackendsFailedError, DEFAULT_RECOVERY, DisposedError, WorkerCrashedError, describeError, type Aggregates, type BackendAttempt, type BackendName, type DriftReport, type LifecycleStatus, type LoadModelOptions, type Model, type ModelEventListener, type ModelEventName, type MonitorReport, type NamedTensors, type RunOptions, type TensorSpec, type WindowAggregates } from '@edgewise/core';
import { Emitter, LifecycleDriver, SerialQueue, classifyFailure, deserializeError, initialState, type LifecycleEvent, type LifecycleIo } from '@edgewise/core/internal';
import * as Comlink from 'comlink';
import type { WorkerHost } from './worker-host.js';
import type { RunPortReply, WorkerLoadRequest, WorkerModelEvent, WorkerModelState } from './worker-protocol.js';
import { toWorkerRequest } from './worker-request.js';
import type { WorkerThread } from './worker-thread.js';

type Counters = MonitorReport['counters'];
const now = () => performance.now();
const THREAD_FAULT_KINDS = new Set(['engine-wedged', 'worker-died', 'hung']);
/** Calls other than runs and loads (health, snapshot, …) answer within this, or the worker counts as hung. */
const QUICK_CALL_MS = 30_000;

/**
 * The main-thread face of a model that runs in the Edgewise worker. The worker's own LocalModel does
 * validation, fallback and monitoring; this proxy adds only what the thread boundary needs: inputs
 * are validated here, then their buffers are transferred (not copied); and when the worker dies,
 * hangs or its engine is wedged, the model is relocated into a fresh worker by the same lifecycle
 * (scope 'thread') the in-thread model uses.
 */
export class WorkerModel implements Model {
  private readonly queue = new SerialQueue();
  private readonly emitter = new Emitter();
  private readonly history: BackendAttempt[] = [];
  /** What happened at the thread boundary (deaths, relocations): no worker is left to count it. */
  private readonly boundary: Counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  private readonly runDeadlineMs: number;
  private readonly firstRunDeadlineMs: number;
  /** Whether the model has run since it was (re)loaded: a first run may take much longer. */
  private warm = false;
  private driver!: LifecycleDriver;
  private mirror!: WorkerModelState;
  /** Compiled for the mirrored signature; recompiled when it changes. */
  private validate: (inputs: unknown) => void = () => {};
  /** How many of the current worker model's attempts are already in `history`. */
  private attemptsSeen = 0;
  /** The worker this model is loaded in; when it dies, the model moves. */
  private home: WorkerThread | undefined;
  private recovering: Promise<void> | undefined;
  private disposal: Promise<void> | undefined;
  /**
   * Runs of the guarded canary that took its worker down: the guard in that worker died with it,
   * so the count lives here and goes with the model into the next worker (CanaryOptions.maxCrashes).
   */
  private canaryCrashes = 0;

  private constructor(
    private readonly host: WorkerHost,
    private readonly id: number,
    private readonly request: WorkerLoadRequest,
    private readonly options: LoadModelOptions,
  ) {
    const ms = options.recovery?.runTimeoutMs ?? DEFAULT_RECOVERY.runTimeoutMs;
    const first = Math.max(ms, options.recovery?.firstRunTimeoutMs ?? ms * 5);
    // The worker's own deadline fires first while the worker lives; this one catches a dead or blocked worker.
    const grace = (t: number) => (t === Infinity ? Infinity : t + Math.max(2000, t / 4));
    this.runDeadlineMs = grace(ms);
    this.firstRunDeadlineMs = grace(first);
  }

  static async load(host: WorkerHost, id: number, options: LoadModelOptions): Promise<WorkerModel> {
    const model = new WorkerModel(host, id, toWorkerRequest(options), options);
    const state = await model.loadInto(host.current(), model.request, 'load');
    const recovery = { ...DEFAULT_RECOVERY, ...options.recovery };
    model.driver = new LifecycleDriver(initialState(state.backend, state.preferences), { scope: 'thread', retryBaseMs: recovery.retryBaseMs, retryMaxMs: recovery.retryMaxMs }, (from, to, s) =>
      model.emitter.emit('state', { from, to, error: s.error }),
    );
    return model;
  }

  get engine(): string {
    return this.mirror.engine;
  }
  get version(): string | undefined {
    return this.mirror.version;
  }
  get backend(): BackendName {
    return this.mirror.backend;
  }
  get state(): LifecycleStatus {
    const own = this.driver.state.status;
    return own === 'ready' ? this.mirror.status : own;
  }
  get attempts(): readonly BackendAttempt[] {
    return this.history;
  }
  get inputs(): readonly TensorSpec[] {
    return this.mirror.inputs;
  }
  get outputs(): readonly TensorSpec[] {
    return this.mirror.outputs;
  }

  on<K extends ModelEventName>(event: K, listener: ModelEventListener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  /** Note: the input buffers are transferred to the worker and are detached here afterwards. */
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
    return this.inWorker((thread) => this.host.call(thread, (api) => api.feedback(this.id, runId, label), QUICK_CALL_MS));
  }

  private async runNow(inputs: NamedTensors, runId?: string): Promise<NamedTensors> {
    if (this.recovering) await this.recovering;
    if (this.options.validation !== false) {
      try {
        this.validate(inputs);
      } catch (error) {
        this.boundary.rejected++;
        throw error;
      }
    }
    if (!this.home?.alive && this.driver.state.status === 'ready') await this.driver.drive({ type: 'thread-lost', reason: 'its worker was replaced' }, this.io(inputs));
    if (this.driver.state.status !== 'ready') return this.recover({ type: 'run-while-failed', now: now() }, inputs, false, runId);
    let reply: Extract<RunPortReply, { type: 'result' | 'error' }>;
    try {
      reply = await this.host.run(this.home!, this.id, inputs, this.deadlineMs(), runId);
    } catch (error) {
      return this.recover({ type: 'run-failed', failure: this.threadFault(classifyFailure(error, this.backend), error), now: now() }, inputs, true, runId);
    }
    this.absorb(reply);
    if (reply.type === 'result') return withRunId(reply.outputs, reply.runId);
    const error = deserializeError(reply.error);
    const failure = classifyFailure(error, this.backend);
    // Everything but a thread fault was the worker's lifecycle's to handle, and it has.
    if (!THREAD_FAULT_KINDS.has(failure.kind)) throw error;
    return this.recover({ type: 'run-failed', failure: this.threadFault(failure, error), now: now() }, inputs, true, runId);
  }

  /**
   * Counts a run that took the thread down against a canary being guarded there; returns the
   * failure. A run that was only waiting behind the call the worker died in (another model's, in
   * a shared worker) did not take it down and is not counted.
   */
  private threadFault<F extends { kind: string }>(failure: F, error: unknown): F {
    const bystander = error instanceof WorkerCrashedError && !error.culprit;
    if (THREAD_FAULT_KINDS.has(failure.kind) && this.mirror.guarding !== undefined && !bystander) this.canaryCrashes++;
    return failure;
  }

  /** `sent`: the inputs went to the worker already (their buffers are detached here). */
  private recover(event: LifecycleEvent, inputs: NamedTensors, sent = false, runId?: string): Promise<NamedTensors> {
    const { outcome, done } = this.driver.recover(event, this.io(inputs, sent, runId));
    const recovering = done.finally(() => {
      if (this.recovering === recovering) this.recovering = undefined;
    });
    this.recovering = recovering;
    return outcome;
  }

  drift(): Promise<DriftReport> {
    return this.inWorker((thread) => this.host.call(thread, (api) => api.drift(this.id), QUICK_CALL_MS));
  }

  async health(): Promise<MonitorReport> {
    const report = await this.inWorker((thread) => this.host.call(thread, (api) => api.health(this.id), QUICK_CALL_MS));
    return { ...report, counters: this.withBoundary(report.counters, false) };
  }

  /** Note: sketches live in the worker; a worker that dies takes those not yet snapshotted with it. */
  snapshot(options: { reset?: boolean } = {}): Promise<Uint8Array> {
    return this.inWorker((thread) => this.host.call(thread, (api) => api.snapshot(this.id, options.reset ?? false), QUICK_CALL_MS));
  }

  async aggregates(options: { reset?: boolean } = {}): Promise<Aggregates> {
    const result = await this.inWorker((thread) => this.host.call(thread, (api) => api.aggregates(this.id, options.reset ?? false), QUICK_CALL_MS));
    return { ...result, body: { ...result.body, counters: this.withBoundary(result.body.counters, options.reset ?? false) } };
  }

  takeWindows(options: { includeOpen?: boolean } = {}): Promise<WindowAggregates[]> {
    return this.inWorker((thread) => this.host.call(thread, (api) => api.takeWindows(this.id, options.includeOpen ?? false), QUICK_CALL_MS));
  }

  dispose(): Promise<void> {
    this.disposal ??= this.queue.push(async () => {
      if (this.recovering) await this.recovering;
      await this.driver.drive({ type: 'dispose' }, this.io({}));
    });
    return this.disposal;
  }

  /** Queued like runs; brings the model back into a live worker first if its worker died. */
  private inWorker<T>(fn: (thread: WorkerThread) => Promise<T>): Promise<T> {
    return this.queue.push(async () => {
      if (this.disposal) throw new DisposedError('Model');
      if (this.recovering) await this.recovering;
      if (!this.home?.alive && this.driver.state.status === 'ready') await this.driver.drive({ type: 'thread-lost', reason: 'its worker was replaced' }, this.io({}));
      if (this.driver.state.status === 'failed') throw this.driver.state.error;
      return fn(this.home!);
    });
  }

  private withBoundary(counters: Counters, reset: boolean): Counters {
    const sum = { ...counters };
    for (const key of Object.keys(this.boundary) as Array<keyof Counters>) {
      sum[key] += this.boundary[key];
      if (reset) this.boundary[key] = 0;
    }
    return sum;
  }

  /** Mirrors what the worker reports with a run: its state (when changed) and fallbacks, in order. */
  private deadlineMs(): number {
    return this.warm ? this.runDeadlineMs : this.firstRunDeadlineMs;
  }

  private absorb(reply: Extract<RunPortReply, { type: 'result' | 'error' }>): void {
    if (reply.type === 'result') this.warm = true;
    if (reply.state) this.mirrorState(reply.state, false);
    for (const e of reply.fallbacks ?? []) this.emitter.emit('fallback', e);
  }

  private mirrorState(state: WorkerModelState, relocated: boolean): void {
    if (relocated) this.attemptsSeen = 0;
    // After a relocation, the new worker's load is part of a run-time fallback.
    const fresh = state.attempts.slice(this.attemptsSeen).map((a) => (relocated && this.history.length > 0 ? { ...a, phase: 'run' as const } : a));
    this.history.push(...fresh);
    this.attemptsSeen = state.attempts.length;
    if (this.options.validation !== false && JSON.stringify(state.inputs) !== JSON.stringify(this.mirror?.inputs)) this.validate = compileInputValidator(state.inputs, this.options.validation || {});
    this.mirror = state;
  }

  private async loadInto(thread: WorkerThread, request: WorkerLoadRequest, why: 'load' | 'relocate'): Promise<WorkerModelState> {
    const onEvent = Comlink.proxy((event: WorkerModelEvent) => {
      if (event.type === 'backend-attempt') {
        if (why === 'load') this.options.onBackendAttempt?.(event.attempt);
      } else if (event.type === 'canary') {
        const { guarding: _judged, ...rest } = this.mirror;
        this.mirror = { ...rest, version: event.version };
        this.canaryCrashes = 0;
        this.emitter.emit('canary', event.verdict);
      } else this.options.onProgress?.({ loaded: event.loaded, total: event.total, file: event.file });
    });
    const state = await this.host.call(thread, (api) => api.load(this.id, request, onEvent));
    this.home = thread;
    this.warm = false;
    this.mirrorState(state, why === 'relocate');
    return state;
  }

  /** The lifecycle's effects, carried out across the thread boundary. */
  private io(inputs: NamedTensors, sent = false, runId?: string): LifecycleIo {
    let reclaimed: NamedTensors | undefined;
    let snapshot: Uint8Array | undefined;
    return {
      release: async () => {
        const home = this.home;
        if (home?.alive) await this.host.call(home, (api) => api.dispose(this.id), QUICK_CALL_MS).catch(() => undefined);
      },
      releaseCandidate: async () => {},
      open: async (candidates) => {
        const failure = this.driver.state.failure;
        if (failure) this.history.push({ backend: failure.backend, outcome: 'failed', phase: 'run', reason: describeError(failure.error) });
        const guarded = this.mirror.guarding;
        const canaryCrashes = guarded !== undefined && this.canaryCrashes > 0 ? { version: guarded, crashes: this.canaryCrashes } : undefined;
        const resume = snapshot || canaryCrashes ? { ...(snapshot ? { snapshot } : {}), ...(canaryCrashes ? { canaryCrashes } : {}) } : undefined;
        const request: WorkerLoadRequest = { ...this.request, backends: [...candidates], select: 'first', probe: undefined, resume };
        try {
          return { backend: (await this.loadInto(this.host.current(), request, 'relocate')).backend };
        } catch (error) {
          if (error instanceof AllBackendsFailedError) this.history.push(...error.attempts.map((a) => ({ ...a, phase: 'run' as const })));
          return { error };
        }
      },
      renewThread: async (reason) => {
        // The wedged worker still answers: take back the inputs of the run, and the monitor's state.
        const home = this.home;
        if (home?.alive) {
          reclaimed = await this.host.call(home, (api) => api.reclaimInputs(this.id), QUICK_CALL_MS).catch(() => undefined);
          snapshot = await this.host.call(home, (api) => api.snapshot(this.id, false), QUICK_CALL_MS).catch(() => undefined);
        }
        this.host.restart(`its engine is wedged: ${reason}`);
      },
      attempt: async () => {
        const use = reclaimed ?? (sent ? undefined : inputs);
        reclaimed = undefined;
        sent = true;
        if (!use) return { failure: { kind: 'worker-died', backend: this.backend, error: this.driver.state.failure?.error } };
        try {
          const reply = await this.host.run(this.home!, this.id, use, this.deadlineMs(), runId);
          this.absorb(reply);
          if (reply.type === 'result') return { outputs: withRunId(reply.outputs, reply.runId) };
          const error = deserializeError(reply.error);
          return { failure: this.threadFault(classifyFailure(error, this.backend), error) };
        } catch (error) {
          return { failure: this.threadFault(classifyFailure(error, this.backend), error) };
        }
      },
      adoptCandidate: () => {},
      count: (counter) => void this.boundary[counter]++,
      emitFallback: (e) => this.emitter.emit('fallback', e),
    };
  }
}
