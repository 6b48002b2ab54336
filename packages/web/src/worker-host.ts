import { DisposedError, WorkerCrashedError, type LoadModelOptions, type Model, type ModelHost } from '@edgewise/core';
import * as Comlink from 'comlink';
import { installErrorTransfer } from './error-transfer.js';
import { WorkerModel } from './worker-model.js';
import { PROTOCOL_VERSION, type WorkerApi, type WorkerEngineConfig } from './worker-protocol.js';

export interface WorkerHostOptions {
  /** Creates the worker; override when your bundler needs a different worker URL. */
  createWorker?: () => Worker;
  engineConfig?: WorkerEngineConfig;
}

const defaultCreateWorker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'edgewise' });

/**
 * Owns the Edgewise worker: starts it on first use, restarts it after a crash, and fails every call
 * that was in flight when it died with WorkerCrashedError (comlink alone would leave them pending
 * forever).
 */
export class WorkerHost implements ModelHost {
  /** Bumped on every restart; models compare it to know they must reload. */
  generation = 0;
  private worker: Worker | undefined;
  private api: Comlink.Remote<WorkerApi> | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Set<(error: Error) => void>();
  private nextModelId = 1;
  private disposed = false;

  constructor(private readonly options: WorkerHostOptions = {}) {
    installErrorTransfer();
  }

  loadModel(options: LoadModelOptions): Promise<Model> {
    return WorkerModel.load(this, this.nextModelId++, options);
  }

  /** Runs `fn` against the worker; rejects with WorkerCrashedError if the worker dies meanwhile. */
  async call<T>(fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const api = await this.start();
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      fn(api).then(resolve, reject).finally(() => this.pending.delete(reject));
    });
  }

  /** Fault injection: the worker's next run crashes it (see WorkerApi.crashOnNextRun). */
  async crashOnNextRun(): Promise<void> {
    await this.call((api) => api.crashOnNextRun());
  }

  /** Fault injection: destroys the worker's WebGPU devices, if it is running. */
  async simulateDeviceLoss(): Promise<void> {
    if (this.worker) await this.call((api) => api.simulateDeviceLoss());
  }

  /** Terminates the worker; models loaded through this host stop working. */
  dispose(): void {
    this.disposed = true;
    this.worker?.terminate();
    this.failPending(new DisposedError('The Edgewise worker host'));
    this.worker = this.api = this.ready = undefined;
  }

  private start(): Promise<Comlink.Remote<WorkerApi>> {
    if (this.disposed) return Promise.reject(new DisposedError('The Edgewise worker host'));
    if (!this.worker) {
      const worker = (this.options.createWorker ?? defaultCreateWorker)();
      const api = Comlink.wrap<WorkerApi>(worker);
      worker.addEventListener('error', (event) => this.onCrash(worker, event.message || 'uncaught error in worker'));
      worker.addEventListener('messageerror', () => this.onCrash(worker, 'a message could not be deserialised'));
      this.worker = worker;
      this.api = api;
      this.ready = (async () => {
        const version = await api.protocolVersion();
        if (version !== PROTOCOL_VERSION) {
          throw new WorkerCrashedError(`Edgewise worker speaks protocol ${version}, this page ${PROTOCOL_VERSION}: a stale cached worker script?`);
        }
        await api.configure(this.options.engineConfig ?? {});
      })();
    }
    const api = this.api!;
    return this.ready!.then(() => api);
  }

  /**
   * Replaces the worker with a fresh one (started on the next call), e.g. when an engine in it is
   * wedged. Calls still pending in the old one fail with WorkerCrashedError.
   */
  restart(reason: string): void {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = this.api = this.ready = undefined;
    this.generation++;
    this.failPending(
      new WorkerCrashedError(`The Edgewise worker was stopped (${reason}) while this call was pending. It restarts and the model reloads on the next call.`),
    );
  }

  private onCrash(worker: Worker, reason: string): void {
    if (worker === this.worker) this.restart(`it crashed: ${reason}`);
  }

  private failPending(error: Error): void {
    for (const reject of this.pending) reject(error);
    this.pending.clear();
  }
}
