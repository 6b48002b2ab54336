import type * as Comlink from 'comlink';
import { WorkerCrashedError } from '@edgewise/core';
import { RUN_TAG, type RunPortReply, type RunPortRequest, type WorkerApi } from './worker-protocol.js';

type RunReply = Extract<RunPortReply, { type: 'result' | 'error' }>;

interface Pending {
  fail: (error: Error) => void;
  /** performance.now() by which an answer is due. */
  deadline: number;
  since: number;
}

/**
 * One Edgewise worker and everything pending in it. A model is loaded into a thread; when the thread
 * dies, every pending call fails with the same error and the model moves to a new thread.
 */
export class WorkerThread {
  alive = true;
  /** Resolves once the worker has answered the protocol check and holds its run port. */
  ready: Promise<void> = Promise.resolve();
  /** Set once ready: heartbeats start then (a worker still fetching its script cannot answer). */
  started = false;
  /** The worker's own terminate (its public one is intercepted by the host). */
  terminate: () => void;
  private readonly pending = new Set<Pending>();
  private readonly runs = new Map<number, { resolve: (reply: RunReply) => void; slot: Pending }>();
  private seq = 0;
  private unansweredPing: number | undefined;
  private missed = 0;
  private death: Error | undefined;

  constructor(
    readonly worker: Worker,
    readonly api: Comlink.Remote<WorkerApi>,
  ) {
    this.terminate = () => worker.terminate();
    worker.addEventListener('message', (event: MessageEvent<RunPortReply>) => {
      if (event.data?.tag === RUN_TAG) this.receive(event.data);
    });
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Settles `promise`, or fails it if the thread dies or `deadline` passes first. */
  track<T>(promise: Promise<T>, deadline: number): Promise<T> {
    if (this.death) return Promise.reject(this.death);
    return new Promise<T>((resolve, reject) => {
      const slot: Pending = { fail: reject, deadline, since: performance.now() };
      this.pending.add(slot);
      promise.then(
        (value) => {
          this.pending.delete(slot);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(slot);
          reject(error);
        },
      );
    });
  }

  /** The reply to run `seq`, when it comes. */
  expect(seq: number, deadline: number): Promise<RunReply> {
    if (this.death) return Promise.reject(this.death);
    return new Promise<RunReply>((resolve, reject) => {
      const slot: Pending = { fail: reject, deadline, since: performance.now() };
      this.pending.add(slot);
      this.runs.set(seq, { resolve, slot });
    });
  }

  /** How long the most overdue pending call has waited, if any is past its deadline. */
  overdue(at: number): number | undefined {
    for (const slot of this.pending) if (at > slot.deadline) return at - slot.since;
    return undefined;
  }

  /** Counts a heartbeat as missed when the last ping is unanswered; true once too many were, while idle. */
  missedBeats(limit: number): boolean {
    this.missed = this.unansweredPing === undefined ? 0 : this.missed + 1;
    return this.pending.size === 0 && this.missed >= limit;
  }

  ping(): void {
    if (this.unansweredPing !== undefined) return;
    this.unansweredPing = this.nextSeq();
    this.worker.postMessage({ tag: RUN_TAG, type: 'ping', seq: this.unansweredPing } satisfies RunPortRequest);
  }

  /**
   * Ends the worker and fails everything pending in it with `error`. A crash is the oldest pending
   * call's (the one the worker was running); every other call, and any made later, gets a copy
   * that says it was not (WorkerCrashedError.culprit false).
   */
  kill(error: Error): void {
    if (!this.alive) return;
    this.alive = false;
    const bystander = error instanceof WorkerCrashedError ? new WorkerCrashedError(error.message, { hung: error.hung, culprit: false }) : error;
    this.death = bystander;
    this.terminate();
    let oldest: Pending | undefined;
    for (const slot of this.pending) if (!oldest || slot.since < oldest.since) oldest = slot;
    for (const slot of this.pending) slot.fail(slot === oldest ? error : bystander);
    this.pending.clear();
    this.runs.clear();
  }

  private receive(reply: RunPortReply): void {
    if (reply.type === 'pong') {
      if (reply.seq === this.unansweredPing) this.unansweredPing = undefined;
      this.missed = 0;
      return;
    }
    const run = this.runs.get(reply.seq);
    if (!run) return;
    this.runs.delete(reply.seq);
    this.pending.delete(run.slot);
    run.resolve(reply);
  }
}
