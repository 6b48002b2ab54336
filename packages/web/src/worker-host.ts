import { DisposedError, WorkerCrashedError, type LoadModelOptions, type Model, type ModelHost, type NamedTensors } from '@edgewise/core';
import { transferablesOf } from '@edgewise/core/internal';
import * as Comlink from 'comlink';
import { installErrorTransfer } from './error-transfer.js';
import { WorkerModel } from './worker-model.js';
import { PROTOCOL_VERSION, RUN_TAG, type RunPortReply, type RunPortRequest, type WorkerApi, type WorkerEngineConfig } from './worker-protocol.js';
import { WorkerThread } from './worker-thread.js';

export interface WorkerHostOptions {
  /** Creates the worker; override when your bundler needs a different worker URL. */
  createWorker?: () => Worker;
  engineConfig?: WorkerEngineConfig;
  /**
   * Liveness of an idle worker: it is pinged every `heartbeatMs` (default 1000) and counts as dead
   * after `missedHeartbeats` (default 5) unanswered pings while no call is pending. A worker busy
   * with a call cannot answer; that call's deadline (the model's `recovery.runTimeoutMs` plus a
   * grace) bounds it instead.
   */
  heartbeatMs?: number;
  missedHeartbeats?: number;
}

const defaultCreateWorker = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'edgewise' });
const now = () => performance.now();
/** Loads may download a model first; progress is not a heartbeat, so they get a long deadline of their own. */
export const LOAD_DEADLINE_MS = 10 * 60_000;

/**
 * Owns the Edgewise worker: starts it on first use, watches it (error events, a heartbeat, call
 * deadlines, and `terminate()` called by other code), and when it dies fails every pending call
 * with WorkerCrashedError; the next call starts a fresh worker, and models reload into it.
 */
export class WorkerHost implements ModelHost {
  private thread: WorkerThread | undefined;
  private nextModelId = 1;
  private disposed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly heartbeatMs: number;
  private readonly missedHeartbeats: number;

  constructor(private readonly options: WorkerHostOptions = {}) {
    installErrorTransfer();
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.missedHeartbeats = options.missedHeartbeats ?? 5;
  }

  loadModel(options: LoadModelOptions): Promise<Model> {
    return WorkerModel.load(this, this.nextModelId++, options);
  }

  /** The live worker, started if there is none. */
  current(): WorkerThread {
    if (this.disposed) throw new DisposedError('The Edgewise worker host');
    if (!this.thread?.alive) this.thread = this.start();
    return this.thread;
  }

  /** Runs `fn` against `thread`'s comlink API; rejects with WorkerCrashedError if the thread dies meanwhile. */
  async call<T>(thread: WorkerThread, fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>, deadlineMs = LOAD_DEADLINE_MS): Promise<T> {
    await thread.ready;
    return thread.track(fn(thread.api), now() + deadlineMs);
  }

  /** Sends one run (buffers transferred); resolves with the worker's reply. */
  run(thread: WorkerThread, id: number, inputs: NamedTensors, deadlineMs: number, runId?: string): Promise<Extract<RunPortReply, { type: 'result' | 'error' }>> {
    const seq = thread.nextSeq();
    const reply = thread.expect(seq, now() + deadlineMs);
    thread.worker.postMessage({ tag: RUN_TAG, type: 'run', seq, id, inputs, runId } satisfies RunPortRequest, transferablesOf(inputs));
    return reply;
  }

  /**
   * Replaces the worker (started afresh on the next call), e.g. when an engine in it is wedged.
   * Calls still pending in the old one fail with WorkerCrashedError.
   */
  restart(reason: string): void {
    if (this.thread) this.lose(this.thread, `it was stopped (${reason})`, false);
  }

  /** Terminates the worker; models loaded through this host stop working. */
  dispose(): void {
    this.disposed = true;
    this.thread?.kill(new DisposedError('The Edgewise worker host'));
    this.thread = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): WorkerThread {
    const worker = (this.options.createWorker ?? defaultCreateWorker)();
    const thread = new WorkerThread(worker, Comlink.wrap<WorkerApi>(worker));
    // Other code holding the Worker (yours, a library's, a test's) may terminate it: no event says so.
    const terminate = worker.terminate.bind(worker);
    thread.terminate = terminate;
    worker.terminate = () => this.lose(thread, 'it was terminated by other code on the page', false);
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.lose(thread, `it crashed: ${event.message || 'uncaught error in worker'}`, false);
    });
    worker.addEventListener('messageerror', () => this.lose(thread, 'a message could not be deserialised', false));
    thread.ready = (async () => {
      const version = await thread.track(thread.api.protocolVersion(), Infinity);
      if (version !== PROTOCOL_VERSION) {
        const error = new WorkerCrashedError(`Edgewise worker speaks protocol ${version}, this page ${PROTOCOL_VERSION}: a stale cached worker script?`);
        thread.kill(error);
        throw error;
      }
      await thread.track(thread.api.configure(this.options.engineConfig ?? {}), Infinity);
    })();
    thread.ready.then(() => (thread.started = true), () => undefined);
    this.timer ??= setInterval(() => this.tick(), this.heartbeatMs);
    return thread;
  }

  /** Deadlines and heartbeat, once per heartbeatMs while a worker runs. */
  private tick(): void {
    const thread = this.thread;
    if (!thread?.alive || !thread.started) return;
    const late = thread.overdue(now());
    if (late) return this.lose(thread, `it did not answer a call within ${Math.round(late)} ms`, true);
    if (thread.missedBeats(this.missedHeartbeats)) {
      return this.lose(thread, `it stopped answering (no heartbeat for ${this.missedHeartbeats * this.heartbeatMs} ms)`, false);
    }
    thread.ping();
  }

  private lose(thread: WorkerThread, reason: string, hung: boolean): void {
    if (!thread.alive) return;
    thread.kill(
      new WorkerCrashedError(`The Edgewise worker ${reason} while this call was pending. A fresh worker starts and the model reloads by itself.`, { hung }),
    );
    if (this.thread === thread) this.thread = undefined;
  }
}
