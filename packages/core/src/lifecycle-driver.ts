import type { BackendName } from './engine.js';
import type { Failure } from './failure.js';
import { next, type Counter, type LifecycleEvent, type LifecyclePolicy, type LifecycleState, type LifecycleStatus } from './lifecycle.js';
import type { NamedTensors } from './tensor.js';

/** What a run attempt came to. */
export type Attempt = { outputs: NamedTensors } | { failure: Failure };

/**
 * How one kind of model carries out the lifecycle's effects: the in-thread model with engine
 * sessions, the worker proxy with a worker. Bound to the inputs of the run being recovered.
 */
export interface LifecycleIo {
  release(): Promise<void>;
  releaseCandidate(): Promise<void>;
  /** Opens on the first working candidate: the new backend, or the error listing every cause. */
  open(candidates: readonly BackendName[], role: 'replacement' | 'candidate' | 'reopen'): Promise<{ backend: BackendName } | { error: unknown }>;
  renewThread(reason: string): Promise<void>;
  /** Runs the pending inputs on the current session, or on the candidate. */
  attempt(on: 'current' | 'candidate'): Promise<Attempt>;
  adoptCandidate(left: { from: BackendName; reason: string }): void;
  count(counter: Counter): void;
  emitFallback(event: { from: BackendName; to: BackendName; reason: string }): void;
}

export type Settle = { outputs: NamedTensors } | { error: unknown };

const now = () => globalThis.performance?.now() ?? Date.now();

/**
 * Holds a model's lifecycle state and carries out `next()`'s effects until they run out. The
 * pending run is settled as soon as an effect decides it (`settle`), so a caller whose call died
 * with its worker hears so at once while the relocation carries on (callers queued behind wait for
 * it).
 */
export class LifecycleDriver {
  constructor(
    private current: LifecycleState,
    private readonly policy: LifecyclePolicy,
    private readonly onStatus: (from: LifecycleStatus, to: LifecycleStatus, state: LifecycleState) => void = () => {},
  ) {}

  get state(): LifecycleState {
    return this.current;
  }

  /** Feeds `event` and carries out everything it leads to. */
  async drive(event: LifecycleEvent, io: LifecycleIo, settle: (outcome: Settle) => void = () => {}): Promise<void> {
    const events: LifecycleEvent[] = [event];
    let outputs: NamedTensors | undefined;
    for (let e = events.shift(); e; e = events.shift()) {
      const { state, effects } = next(this.current, e, this.policy);
      this.setState(state);
      for (const effect of effects) {
        switch (effect.type) {
          case 'release':
            await io.release();
            break;
          case 'release-candidate':
            await io.releaseCandidate();
            break;
          case 'open': {
            const opened = await io.open(effect.candidates, effect.role);
            events.push('backend' in opened ? { type: 'opened', backend: opened.backend } : { type: 'open-failed', error: opened.error, now: now() });
            break;
          }
          case 'renew-thread':
            await io.renewThread(effect.reason);
            break;
          case 'retry':
          case 'run': {
            const attempt = await io.attempt(effect.type === 'retry' ? effect.on : 'current');
            if ('outputs' in attempt) {
              outputs = attempt.outputs;
              if (effect.type === 'run') settle({ outputs });
              else events.push({ type: 'retry-succeeded' });
            } else {
              events.push(effect.type === 'run' ? { type: 'run-failed', failure: attempt.failure, now: now() } : { type: 'retry-failed', failure: attempt.failure });
            }
            break;
          }
          case 'adopt-candidate':
            io.adoptCandidate(effect);
            break;
          case 'count':
            io.count(effect.counter);
            break;
          case 'emit-fallback':
            io.emitFallback(effect);
            break;
          case 'resolve':
            settle({ outputs: outputs! });
            break;
          case 'reject':
            settle({ error: effect.error });
            break;
        }
      }
    }
  }

  /**
   * Drives `event` for a pending run. `outcome` settles as soon as an effect decides the run;
   * `done` when every effect has been carried out (later calls must wait for it).
   */
  recover(event: LifecycleEvent, io: LifecycleIo): { outcome: Promise<NamedTensors>; done: Promise<void> } {
    let settle!: (o: Settle) => void;
    const decided = new Promise<Settle>((resolve) => (settle = resolve));
    let settled = false;
    const once = (o: Settle) => {
      if (!settled) (settled = true), settle(o);
    };
    const done = this.drive(event, io, once).then(
      () => once({ error: new Error(`Edgewise lifecycle: "${event.type}" in state "${this.current.status}" decided nothing (a bug).`) }),
      (error: unknown) => once({ error }),
    );
    const outcome = decided.then((o) => ('error' in o ? Promise.reject(o.error) : o.outputs));
    return { outcome, done };
  }

  private setState(state: LifecycleState): void {
    const from = this.current.status;
    this.current = state;
    if (state.status !== from) this.onStatus(from, state.status, state);
  }
}
