import {
  DisposedError,
  Emitter,
  SerialQueue,
  transferablesOf,
  validateInputs,
  type BackendAttempt,
  type BackendName,
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
  const { source, engine, backends, numThreads } = options;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const cloneable = typeof source === 'string' || source instanceof URL ? new URL(String(source), base).href : source;
  // Inputs are validated on this side (before their buffers are transferred away), so not twice.
  return { source: cloneable, engine, backends, numThreads, validation: false };
}

/**
 * The main-thread face of a model that runs in the Edgewise worker. Inputs are validated here, then
 * their buffers are transferred (not copied); outputs come back the same way.
 */
export class WorkerModel implements Model {
  private readonly queue = new SerialQueue();
  private readonly emitter = new Emitter();
  private generation: number;
  private disposed = false;

  private constructor(
    private readonly host: WorkerHost,
    private readonly id: number,
    private readonly request: WorkerLoadRequest,
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
      if (this.generation !== this.host.generation) {
        // The worker restarted since this model was loaded: load it again in the new one.
        this.generation = this.host.generation;
        this.state = await this.loadInWorker();
      }
      const result = await this.host.call((api) => api.run(this.id, Comlink.transfer(inputs, transferablesOf(inputs))));
      this.state = result.state;
      return result.outputs;
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.push(async () => {
      if (this.generation === this.host.generation) await this.host.call((api) => api.dispose(this.id)).catch(() => undefined);
    });
  }

  private loadInWorker(): Promise<WorkerModelState> {
    const onEvent = Comlink.proxy((event: WorkerModelEvent) => {
      if (event.type === 'backend-attempt') this.options.onBackendAttempt?.(event.attempt);
      else this.emitter.emit('fallback', { from: event.from, to: event.to, reason: event.reason });
    });
    return this.host.call((api) => api.load(this.id, this.request, onEvent));
  }
}
