import {
  DisposedError,
  EngineWedgedError,
  Emitter,
  SerialQueue,
  transferablesOf,
  validateInputs,
  type BackendAttempt,
  type Aggregates,
  type BackendName,
  type DriftReport,
  type MonitorReport,
  type LoadModelOptions,
  type Model,
  type ModelEventListener,
  type ModelEventName,
  type NamedTensors,
  type TensorSpec,
} from '@edgewise/core';
import * as Comlink from 'comlink';
import type { WorkerHost } from './worker-host.js';
import type { WorkerLoadRequest, WorkerModelEvent, WorkerModelState } from './worker-protocol.js';

/** Relative URLs must be resolved here: inside the worker they would resolve against the worker script. */
function toWorkerRequest(options: LoadModelOptions): WorkerLoadRequest {
  const { source, engine, backends, numThreads, monitor, manifest, version, select, probe, probeRuns } = options;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const absolute = (url: string | URL) => new URL(String(url), base).href;
  const cloneable = typeof source === 'string' || source instanceof URL ? absolute(source) : source;
  const request: WorkerLoadRequest = { source: cloneable, engine, backends, numThreads, validation: false, version, select, probe, probeRuns };
  if (manifest !== undefined) request.manifest = absolute(manifest);
  if (monitor === false) request.monitor = false;
  else if (monitor) request.monitor = typeof monitor.baseline === 'string' ? { ...monitor, baseline: absolute(monitor.baseline) } : monitor;
  // Inputs are validated on this side (before their buffers are transferred away), so not twice.
  return request;
}

/**
 * The main-thread face of a model that runs in the Edgewise worker. Inputs are validated here, then
 * their buffers are transferred (not copied); outputs come back the same way.
 */
export class WorkerModel implements Model {
  private readonly queue = new SerialQueue();
  private readonly emitter = new Emitter();
  private generation: number;
  /** Attempts from workers this model outlived (after a wedged-engine restart). */
  private earlierAttempts: BackendAttempt[] = [];
  private disposed = false;

  private constructor(
    private readonly host: WorkerHost,
    private readonly id: number,
    private request: WorkerLoadRequest,
    private readonly options: LoadModelOptions,
    private state: WorkerModelState,
  ) {
    this.generation = host.generation;
  }

  static async load(host: WorkerHost, id: number, options: LoadModelOptions): Promise<WorkerModel> {
    const request = toWorkerRequest(options);
    const model = new WorkerModel(host, id, request, options, undefined as never);
    model.state = await model.loadInWorker();
    return model;
  }

  get engine(): string {
    return this.state.engine;
  }
  get backend(): BackendName {
    return this.state.backend;
  }
  get attempts(): readonly BackendAttempt[] {
    return this.state.attempts;
  }
  get inputs(): readonly TensorSpec[] {
    return this.state.inputs;
  }
  get outputs(): readonly TensorSpec[] {
    return this.state.outputs;
  }

  on<K extends ModelEventName>(event: K, listener: ModelEventListener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  /** Note: the input buffers are transferred to the worker and are detached here afterwards. */
  run(inputs: NamedTensors): Promise<NamedTensors> {
    return this.queue.push(async () => {
      if (this.disposed) throw new DisposedError('Model');
      if (this.options.validation !== false) validateInputs(inputs, this.state.inputs, this.options.validation);
      await this.ensureLoaded();
      try {
        return await this.runInWorker(inputs);
      } catch (error) {
        if (!(error instanceof EngineWedgedError)) throw error;
        return this.recoverInFreshWorker(error);
      }
    });
  }

  private async runInWorker(inputs: NamedTensors): Promise<NamedTensors> {
    const result = await this.host.call((api) => api.run(this.id, Comlink.transfer(inputs, transferablesOf(inputs))));
    if (result.state) this.state = this.withEarlierAttempts(result.state);
    return result.outputs;
  }

  /** After a fresh-worker recovery, that worker's load is part of a run-time fallback. */
  private withEarlierAttempts(state: WorkerModelState): WorkerModelState {
    if (this.earlierAttempts.length === 0) return state;
    const later = state.attempts.map((a) => (a.phase === 'load' ? { ...a, phase: 'run' as const } : a));
    return { ...state, attempts: [...this.earlierAttempts, ...later] };
  }

  /**
   * The engine in the worker is wedged (ORT after a lost WebGPU device): take the inputs back,
   * replace the worker, reload on the next backend of the list and retry once, as LocalModel does
   * within one thread.
   */
  private async recoverInFreshWorker(error: EngineWedgedError): Promise<NamedTensors> {
    const failed = this.state.backend;
    const inputs = await this.host.call((api) => api.reclaimInputs(this.id));
    const remaining = this.state.preferences.slice(this.state.preferences.indexOf(failed) + 1);
    if (!inputs || remaining.length === 0) throw error;
    this.earlierAttempts = [...this.state.attempts, { backend: failed, outcome: 'failed', phase: 'run', reason: error.message }];
    this.host.restart(`its ${this.state.engine} engine is wedged`);
    this.generation = this.host.generation;
    this.request = { ...this.request, backends: remaining };
    this.state = this.withEarlierAttempts(await this.loadInWorker());
    this.emitter.emit('fallback', { from: failed, to: this.state.backend, reason: error.message });
    return this.runInWorker(inputs);
  }

  drift(): Promise<DriftReport> {
    return this.queue.push(async () => {
      await this.ensureLoaded();
      return this.host.call((api) => api.drift(this.id));
    });
  }

  health(): Promise<MonitorReport> {
    return this.queue.push(async () => {
      await this.ensureLoaded();
      return this.host.call((api) => api.health(this.id));
    });
  }

  /** Note: sketches live in the worker; a worker crash loses those not yet snapshotted. */
  snapshot(options: { reset?: boolean } = {}): Promise<Uint8Array> {
    return this.queue.push(async () => {
      await this.ensureLoaded();
      return this.host.call((api) => api.snapshot(this.id, options.reset ?? false));
    });
  }

  aggregates(options: { reset?: boolean } = {}): Promise<Aggregates> {
    return this.queue.push(async () => {
      await this.ensureLoaded();
      return this.host.call((api) => api.aggregates(this.id, options.reset ?? false));
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.push(async () => {
      if (this.generation === this.host.generation) await this.host.call((api) => api.dispose(this.id)).catch(() => undefined);
    });
  }

  /** After a worker restart, loads this model into the new worker before using it. */
  private async ensureLoaded(): Promise<void> {
    if (this.disposed) throw new DisposedError('Model');
    if (this.generation === this.host.generation) return;
    this.generation = this.host.generation;
    this.state = this.withEarlierAttempts(await this.loadInWorker());
  }

  private loadInWorker(): Promise<WorkerModelState> {
    const onEvent = Comlink.proxy((event: WorkerModelEvent) => {
      if (event.type === 'backend-attempt') this.options.onBackendAttempt?.(event.attempt);
      else if (event.type === 'progress') this.options.onProgress?.({ loaded: event.loaded, total: event.total, file: event.file });
      else this.emitter.emit('fallback', { from: event.from, to: event.to, reason: event.reason });
    });
    return this.host.call((api) => api.load(this.id, this.request, onEvent));
  }
}
