import type { BackendName } from './engine.js';
import { describeError } from './errors.js';
import { BACKEND_FAULTS, THREAD_FAULTS, inputErrorByEvidence, type Failure } from './failure.js';

/**
 * A model's lifecycle as one pure transition function, `next(state, event) → { state, effects }`.
 * The in-thread model and the worker proxy both use it and only carry out the effects, so there is
 * one fallback algorithm; they differ in scope:
 * - 'session' (the model that owns an engine session): acts on input, backend and unknown failures;
 *   a thread fault makes it `failed` (it cannot make a new thread).
 * - 'thread' (the main-thread proxy of a model in a worker): the worker's own lifecycle already
 *   handled everything but thread faults; those relocate the model to a fresh worker.
 *
 * States:
 *   opening ──opened──▶ ready ──backend fault──▶ falling-back ──opened──▶ ready (fallback, run retried)
 *                         │ └──unknown fault──▶ verifying ──candidate runs it──▶ ready on candidate (fallback)
 *                         │                              └─fails there too──▶ ready where it was (input error)
 *                         └──thread fault (proxy)──▶ relocating ──opened──▶ ready
 *   any reopen that finds no backend ──▶ failed ──run after the backoff──▶ opening
 *   dispose ──▶ disposed
 */
export type LifecycleStatus = 'opening' | 'ready' | 'verifying' | 'falling-back' | 'relocating' | 'failed' | 'disposed';

export interface LifecycleState {
  readonly status: LifecycleStatus;
  /** The backend in use (ready), being left (falling-back, verifying, relocating) or last used. */
  readonly backend: BackendName;
  /** The fallback order in force: as given, or fastest first after `select: 'fastest'`. */
  readonly order: readonly BackendName[];
  /** The failure being handled. */
  readonly failure?: Failure;
  /** While verifying: the backend the same inputs are being tried on. */
  readonly candidate?: BackendName;
  /** While failed: the error runs reject with, and when a run may try to reopen. */
  readonly error?: unknown;
  readonly retryAt?: number;
  /** Reopens that found no backend, in a row (for the backoff). */
  readonly reopenFailures: number;
}

export type LifecycleEvent =
  /** A run on the current backend failed. */
  | { type: 'run-failed'; failure: Failure; now: number }
  /** The open asked for by an `open` effect found a working backend. */
  | { type: 'opened'; backend: BackendName }
  /** … or found none (`error` lists every cause). */
  | { type: 'open-failed'; error: unknown; now: number }
  /** The retried run (after a fallback, or on a candidate) succeeded / failed. */
  | { type: 'retry-succeeded' }
  | { type: 'retry-failed'; failure: Failure }
  /** The thread hosting the model went away while this model had no call pending (proxy only). */
  | { type: 'thread-lost'; reason: string }
  /** A run arrived while failed. */
  | { type: 'run-while-failed'; now: number }
  | { type: 'dispose' };

export type Counter = 'errors' | 'rejected' | 'fallbacks';

export type LifecycleEffect =
  /** Release the current session (before claiming another: a lost device may still hold memory). */
  | { type: 'release' }
  /** Release the candidate opened while verifying. */
  | { type: 'release-candidate' }
  /**
   * Open a session on the first of `candidates` that works. 'replacement' replaces the current one,
   * 'candidate' is opened beside it (verifying), 'reopen' after failed. Answered by opened/open-failed.
   */
  | { type: 'open'; candidates: readonly BackendName[]; role: 'replacement' | 'candidate' | 'reopen' }
  /** Replace the thread (worker) before opening again. */
  | { type: 'renew-thread'; reason: string }
  /** Run the pending inputs again: on the replacement, or on the candidate. Answered by retry-*. */
  | { type: 'retry'; on: 'current' | 'candidate' }
  /** The candidate becomes the current session; the run failed on `from` for `reason`. */
  | { type: 'adopt-candidate'; from: BackendName; reason: string }
  | { type: 'count'; counter: Counter }
  | { type: 'emit-fallback'; from: BackendName; to: BackendName; reason: string }
  /** The pending run's outcome: the retried run's outputs, or this error. */
  | { type: 'resolve' }
  | { type: 'reject'; error: unknown }
  /** Run the pending inputs for the first time (after a reopen). */
  | { type: 'run' };

export interface Transition {
  state: LifecycleState;
  effects: LifecycleEffect[];
}

export interface LifecyclePolicy {
  scope: 'session' | 'thread';
  /** Backoff between reopens while failed: base, doubled per failed reopen, capped. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export function initialState(backend: BackendName, order: readonly BackendName[]): LifecycleState {
  return { status: 'ready', backend, order, reopenFailures: 0 };
}

/** Backends after `backend` in `order`: where a fallback goes. */
export const after = (order: readonly BackendName[], backend: BackendName): BackendName[] => order.slice(order.indexOf(backend) + 1);
/** `backend` and those after it: where a relocation goes (the backend is not at fault). */
const from = (order: readonly BackendName[], backend: BackendName): BackendName[] => order.slice(Math.max(0, order.indexOf(backend)));

const backoff = (failures: number, policy: LifecyclePolicy) => Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, failures - 1));
const reasonOf = (failure: Failure | undefined) => (failure ? describeError(failure.error) : 'unknown');

function failed(state: LifecycleState, error: unknown, now: number, policy: LifecyclePolicy): LifecycleState {
  const reopenFailures = state.reopenFailures + 1;
  return { ...state, status: 'failed', failure: undefined, error, retryAt: now + backoff(reopenFailures, policy), reopenFailures };
}

const stay = (state: LifecycleState, ...effects: LifecycleEffect[]): Transition => ({ state, effects });
const ready = (state: LifecycleState, backend: BackendName): LifecycleState => ({ status: 'ready', backend, order: state.order, reopenFailures: 0 });

/** The whole lifecycle: every (state, event) pair not listed leaves the state as it is. */
export function next(state: LifecycleState, event: LifecycleEvent, policy: LifecyclePolicy): Transition {
  if (state.status === 'disposed') return stay(state, ...(event.type === 'run-failed' || event.type === 'retry-failed' ? [{ type: 'reject', error: event.failure.error } as const] : []));
  if (event.type === 'dispose') return { state: { ...state, status: 'disposed' }, effects: [{ type: 'release' }] };
  switch (state.status) {
    case 'ready':
      if (event.type === 'run-failed') return policy.scope === 'session' ? sessionFault(state, event.failure, event.now, policy) : threadFault(state, event.failure);
      if (event.type === 'retry-failed') return stay(state, { type: 'count', counter: 'errors' }, { type: 'reject', error: event.failure.error });
      if (event.type === 'retry-succeeded') return stay(state, { type: 'resolve' });
      if (event.type === 'thread-lost') return { state: { ...state, status: 'relocating' }, effects: [{ type: 'open', candidates: from(state.order, state.backend), role: 'replacement' }] };
      return stay(state);
    case 'falling-back':
      if (event.type === 'opened') {
        const reason = reasonOf(state.failure);
        return {
          state: ready(state, event.backend),
          effects: [{ type: 'count', counter: 'fallbacks' }, { type: 'emit-fallback', from: state.backend, to: event.backend, reason }, { type: 'retry', on: 'current' }],
        };
      }
      if (event.type === 'open-failed') return { state: failed(state, event.error, event.now, policy), effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: event.error }] };
      return stay(state);
    case 'verifying':
      return verifying(state, event);
    case 'relocating':
      return relocating(state, event, policy);
    case 'failed':
      if (event.type === 'run-while-failed') {
        if (event.now < (state.retryAt ?? 0)) return stay(state, { type: 'count', counter: 'errors' }, { type: 'reject', error: state.error });
        return { state: { ...state, status: 'opening' }, effects: [{ type: 'open', candidates: state.order, role: 'reopen' }] };
      }
      return stay(state);
    case 'opening':
      if (event.type === 'opened') {
        const effects: LifecycleEffect[] = [];
        // Recovering on another backend than the one it failed on completes a fallback.
        if (event.backend !== state.backend) effects.push({ type: 'count', counter: 'fallbacks' }, { type: 'emit-fallback', from: state.backend, to: event.backend, reason: `recovered after: ${describeError(state.error)}` });
        return { state: ready(state, event.backend), effects: [...effects, { type: 'run' }] };
      }
      if (event.type === 'open-failed') return { state: failed(state, event.error, event.now, policy), effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: event.error }] };
      return stay(state);
  }
}

/** A run failed in the thread that owns the session. */
function sessionFault(state: LifecycleState, failure: Failure, now: number, policy: LifecyclePolicy): Transition {
  const rest = after(state.order, state.backend);
  if (failure.kind === 'input') return stay(state, { type: 'count', counter: 'rejected' }, { type: 'reject', error: failure.error });
  if (BACKEND_FAULTS.has(failure.kind)) {
    if (rest.length === 0) return stay(state, { type: 'count', counter: 'errors' }, { type: 'reject', error: failure.error });
    return { state: { ...state, status: 'falling-back', failure }, effects: [{ type: 'release' }, { type: 'open', candidates: rest, role: 'replacement' }] };
  }
  if (failure.kind === 'unknown' && rest.length > 0) {
    // Not known to be the backend's fault: keep the session, and try the same input on the next one.
    return { state: { ...state, status: 'verifying', failure }, effects: [{ type: 'open', candidates: rest, role: 'candidate' }] };
  }
  if (THREAD_FAULTS.has(failure.kind)) {
    // Nothing more runs in this thread; a later run may reopen (an engine that recovers, or none).
    return { state: failed(state, failure.error, now, policy), effects: [{ type: 'release' }, { type: 'count', counter: 'errors' }, { type: 'reject', error: failure.error }] };
  }
  return stay(state, { type: 'count', counter: 'errors' }, { type: 'reject', error: failure.error });
}

function verifying(state: LifecycleState, event: LifecycleEvent): Transition {
  const original = state.failure!;
  const back = ready(state, state.backend);
  switch (event.type) {
    case 'opened':
      return stay({ ...state, candidate: event.backend }, { type: 'retry', on: 'candidate' });
    case 'open-failed':
      // No other backend to compare with: no evidence against this one, so the model stays.
      return stay(back, { type: 'count', counter: 'errors' }, { type: 'reject', error: original.error });
    case 'retry-succeeded': {
      const to = state.candidate!;
      return {
        state: ready(state, to),
        effects: [
          { type: 'release' },
          { type: 'adopt-candidate', from: state.backend, reason: reasonOf(original) },
          { type: 'count', counter: 'fallbacks' },
          { type: 'emit-fallback', from: state.backend, to, reason: reasonOf(original) },
          { type: 'resolve' },
        ],
      };
    }
    case 'retry-failed': {
      // Failing on the candidate too convicts the input, unless the candidate failed for its own reasons.
      const byInput = event.failure.kind === 'unknown' || event.failure.kind === 'input';
      const error = byInput ? inputErrorByEvidence(original.error, [state.backend, state.candidate!]) : original.error;
      return stay(back, { type: 'release-candidate' }, { type: 'count', counter: byInput ? 'rejected' : 'errors' }, { type: 'reject', error });
    }
    default:
      return stay(state);
  }
}

/** A run failed in the worker (proxy scope): only thread faults are the proxy's to handle. */
function threadFault(state: LifecycleState, failure: Failure): Transition {
  if (failure.kind === 'engine-wedged') {
    // The worker is alive but its engine is stuck on this backend: a fresh worker, the next backend, the same inputs.
    const rest = after(state.order, state.backend);
    return {
      state: { ...state, status: 'relocating', failure },
      effects: [{ type: 'renew-thread', reason: reasonOf(failure) }, { type: 'open', candidates: rest.length ? rest : [state.backend], role: 'replacement' }],
    };
  }
  if (failure.kind === 'worker-died' || failure.kind === 'hung') {
    // The inputs died with the worker: fail this call, bring the model back in a fresh worker.
    return {
      state: { ...state, status: 'relocating', failure },
      effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: failure.error }, { type: 'open', candidates: from(state.order, state.backend), role: 'replacement' }],
    };
  }
  return stay(state, { type: 'reject', error: failure.error });
}

function relocating(state: LifecycleState, event: LifecycleEvent, policy: LifecyclePolicy): Transition {
  const wedged = state.failure?.kind === 'engine-wedged';
  switch (event.type) {
    case 'opened': {
      const effects: LifecycleEffect[] = [];
      if (event.backend !== state.backend) effects.push({ type: 'count', counter: 'fallbacks' }, { type: 'emit-fallback', from: state.backend, to: event.backend, reason: reasonOf(state.failure) });
      if (wedged) effects.push({ type: 'retry', on: 'current' });
      return { state: ready(state, event.backend), effects };
    }
    case 'open-failed':
      return { state: failed(state, event.error, event.now, policy), effects: wedged ? [{ type: 'count', counter: 'errors' }, { type: 'reject', error: event.error }] : [] };
    case 'run-failed':
      // A second call that was pending in the lost worker: it fails too; the relocation goes on.
      return stay(state, { type: 'count', counter: 'errors' }, { type: 'reject', error: event.failure.error });
    default:
      return stay(state);
  }
}
