import { describe, expect, it } from 'vitest';
import type { BackendName } from './engine.js';
import { BackendError, EngineWedgedError, InputError, WorkerCrashedError, describeError } from './errors.js';
import { classifyFailure } from './failure.js';
import { initialState, next, type LifecycleEvent, type LifecyclePolicy, type LifecycleState } from './lifecycle.js';

/**
 * The lifecycle's transitions not covered in lifecycle.test.ts, each with its whole effect list
 * (errors, reasons, candidates), so a changed field is a failed test and not only a changed type.
 */
const session: LifecyclePolicy = { scope: 'session', retryBaseMs: 100, retryMaxMs: 250 };
const thread: LifecyclePolicy = { ...session, scope: 'thread' };
const ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm'];
const at = (backend: BackendName, extra: Partial<LifecycleState> = {}): LifecycleState => ({ ...initialState(backend, ORDER), ...extra });
const runFailed = (error: unknown, backend: BackendName = 'webgpu'): LifecycleEvent => ({ type: 'run-failed', failure: classifyFailure(error, backend), now: 1000 });

describe('lifecycle: every remaining transition, effects in full', () => {
  it('a disposed model rejects failures it is told of and does nothing else', () => {
    const disposed = next(at('webgpu'), { type: 'dispose' }, session);
    expect(disposed).toEqual({ state: { ...at('webgpu'), status: 'disposed' }, effects: [{ type: 'release' }] });
    const error = new Error('late');
    expect(next(disposed.state, runFailed(error), session)).toEqual({ state: disposed.state, effects: [{ type: 'reject', error }] });
    expect(next(disposed.state, { type: 'retry-failed', failure: classifyFailure(error, 'webgpu') }, session)).toEqual({ state: disposed.state, effects: [{ type: 'reject', error }] });
    expect(next(disposed.state, { type: 'opened', backend: 'wasm' }, session)).toEqual({ state: disposed.state, effects: [] });
  });

  it('ready: a stray retry verdict settles the call; a lost thread relocates from the current backend on', () => {
    const error = new Error('x');
    expect(next(at('webgpu'), { type: 'retry-failed', failure: classifyFailure(error, 'webgpu') }, session).effects).toEqual([{ type: 'count', counter: 'errors' }, { type: 'reject', error }]);
    expect(next(at('webgpu'), { type: 'retry-succeeded' }, session).effects).toEqual([{ type: 'resolve' }]);
    expect(next(at('webgpu'), { type: 'opened', backend: 'wasm' }, session)).toEqual({ state: at('webgpu'), effects: [] });
    expect(next(at('webgl'), { type: 'thread-lost', reason: 'gone' }, thread)).toEqual({
      state: { ...at('webgl'), status: 'relocating' },
      effects: [{ type: 'open', candidates: ['webgl', 'wasm'], role: 'replacement' }],
    });
    // A backend outside the order (a custom one): relocation tries the whole order.
    expect(next(initialState('cpu', ORDER), { type: 'thread-lost', reason: 'gone' }, thread).effects).toEqual([{ type: 'open', candidates: ORDER, role: 'replacement' }]);
  });

  it('falling back: names the failure in the fallback; an open that fails too backs off and rejects', () => {
    const error = new BackendError('webgpu', 'lost', { failure: 'device-lost' });
    const falling = next(at('webgpu'), runFailed(error), session).state;
    expect(next(falling, { type: 'opened', backend: 'webgl' }, session).effects).toEqual([
      { type: 'count', counter: 'fallbacks' },
      { type: 'emit-fallback', from: 'webgpu', to: 'webgl', reason: describeError(error) },
      { type: 'retry', on: 'current' },
    ]);
    const openError = new Error('no webgl');
    const t = next(falling, { type: 'open-failed', error: openError, now: 5000 }, session);
    expect(t.state).toMatchObject({ status: 'failed', error: openError, retryAt: 5100, reopenFailures: 1, failure: undefined });
    expect(t.effects).toEqual([{ type: 'count', counter: 'errors' }, { type: 'reject', error: openError }]);
    expect(next(falling, { type: 'retry-succeeded' }, session)).toEqual({ state: falling, effects: [] });
  });

  it('failed: rejects with the stored error until retryAt, then reopens over the whole order; backoff doubles up to its cap', () => {
    const error = new Error('down');
    const failed = at('webgl', { status: 'failed', error, retryAt: 2000, reopenFailures: 1 });
    expect(next(failed, { type: 'run-while-failed', now: 1999 }, session)).toEqual({ state: failed, effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error }] });
    const opening = next(failed, { type: 'run-while-failed', now: 2000 }, session);
    expect(opening).toEqual({ state: { ...failed, status: 'opening' }, effects: [{ type: 'open', candidates: ORDER, role: 'reopen' }] });
    expect(next(failed, { type: 'opened', backend: 'wasm' }, session)).toEqual({ state: failed, effects: [] });
    const again = next(opening.state, { type: 'open-failed', error, now: 3000 }, session);
    expect(again.state).toMatchObject({ status: 'failed', retryAt: 3200, reopenFailures: 2 });
    expect(again.effects).toEqual([{ type: 'count', counter: 'errors' }, { type: 'reject', error }]);
    const capped = next({ ...again.state, status: 'opening' }, { type: 'open-failed', error, now: 3000 }, session);
    expect(capped.state.retryAt).toBe(3250);
    expect(next({ ...failed, retryAt: undefined }, { type: 'run-while-failed', now: 0 }, session).state.status).toBe('opening');
  });

  it('opening: back on the same backend just runs; on another it is a fallback that names why', () => {
    const error = new Error('device went away');
    const opening = at('webgpu', { status: 'opening', error, reopenFailures: 2 });
    expect(next(opening, { type: 'opened', backend: 'webgpu' }, session)).toEqual({ state: { status: 'ready', backend: 'webgpu', order: ORDER, reopenFailures: 0 }, effects: [{ type: 'run' }] });
    expect(next(opening, { type: 'opened', backend: 'wasm' }, session).effects).toEqual([
      { type: 'count', counter: 'fallbacks' },
      { type: 'emit-fallback', from: 'webgpu', to: 'wasm', reason: `recovered after: ${describeError(error)}` },
      { type: 'run' },
    ]);
    expect(next(opening, { type: 'retry-succeeded' }, session)).toEqual({ state: opening, effects: [] });
  });

  it('session faults: unknown on the last backend and thread faults reject; thread faults also release and back off', () => {
    const unknown = new Error('??');
    expect(next(at('wasm'), runFailed(unknown, 'wasm'), session)).toEqual({ state: at('wasm'), effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: unknown }] });
    const crash = new WorkerCrashedError('gone');
    const t = next(at('webgpu'), runFailed(crash), session);
    expect(t.state).toMatchObject({ status: 'failed', error: crash, retryAt: 1100, reopenFailures: 1 });
    expect(t.effects).toEqual([{ type: 'release' }, { type: 'count', counter: 'errors' }, { type: 'reject', error: crash }]);
    const input = new InputError('x', 'NaN', 'finite');
    expect(next(at('webgpu'), runFailed(input), session).effects).toEqual([{ type: 'count', counter: 'rejected' }, { type: 'reject', error: input }]);
  });

  it('verifying: no candidate opens → the original error, model stays; the candidate failing for its own reasons → not the input', () => {
    const original = new Error('??');
    const verifying = next(at('webgpu'), runFailed(original), session).state;
    const back = { status: 'ready', backend: 'webgpu', order: ORDER, reopenFailures: 0 };
    expect(next(verifying, { type: 'open-failed', error: new Error('x'), now: 0 }, session)).toEqual({ state: back, effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: original }] });
    const opened = next(verifying, { type: 'opened', backend: 'webgl' }, session);
    expect(opened).toEqual({ state: { ...verifying, candidate: 'webgl' }, effects: [{ type: 'retry', on: 'candidate' }] });
    const own = next(opened.state, { type: 'retry-failed', failure: classifyFailure(new BackendError('webgl', 'oom', { failure: 'out-of-memory' }), 'webgl') }, session);
    expect(own).toEqual({ state: back, effects: [{ type: 'release-candidate' }, { type: 'count', counter: 'errors' }, { type: 'reject', error: original }] });
    const byInput = next(opened.state, { type: 'retry-failed', failure: classifyFailure(new InputError('x', 'y', 'z'), 'webgl') }, session);
    expect(byInput.effects[1]).toEqual({ type: 'count', counter: 'rejected' });
    expect(byInput.effects[2]).toMatchObject({ type: 'reject', error: expect.any(InputError) });
    expect(((byInput.effects[2] as { error: InputError }).error).received).toBe('inputs that the engine rejected on webgpu and webgl alike (??)');
    expect(next(verifying, { type: 'thread-lost', reason: 'x' }, session)).toEqual({ state: verifying, effects: [] });
  });

  it('thread scope: a wedged engine renews the worker (same backend when it is the last); a dead one fails the call and relocates', () => {
    const wedged = new EngineWedgedError('webgl', 'stuck');
    expect(next(at('webgl'), runFailed(wedged, 'webgl'), thread)).toEqual({
      state: { ...at('webgl'), status: 'relocating', failure: classifyFailure(wedged, 'webgl') },
      effects: [{ type: 'renew-thread', reason: describeError(wedged) }, { type: 'open', candidates: ['wasm'], role: 'replacement' }],
    });
    expect(next(at('wasm'), runFailed(new EngineWedgedError('wasm', 'stuck'), 'wasm'), thread).effects[1]).toEqual({ type: 'open', candidates: ['wasm'], role: 'replacement' });
    for (const dead of [new WorkerCrashedError('died'), new WorkerCrashedError('no answer', { hung: true })]) {
      expect(next(at('webgl'), runFailed(dead, 'webgl'), thread).effects).toEqual([{ type: 'count', counter: 'errors' }, { type: 'reject', error: dead }, { type: 'open', candidates: ['webgl', 'wasm'], role: 'replacement' }]);
    }
    const other = new BackendError('webgl', 'oom', { failure: 'out-of-memory' });
    expect(next(at('webgl'), runFailed(other, 'webgl'), thread)).toEqual({ state: at('webgl'), effects: [{ type: 'reject', error: other }] });
  });

  it('relocating: reopened where it was is silent (a wedged engine retries the run); elsewhere it is a fallback; a failed reopen rejects only for a wedge', () => {
    const died = next(at('webgl'), runFailed(new WorkerCrashedError('died'), 'webgl'), thread).state;
    expect(next(died, { type: 'opened', backend: 'webgl' }, thread)).toEqual({ state: { status: 'ready', backend: 'webgl', order: ORDER, reopenFailures: 0 }, effects: [] });
    expect(next(died, { type: 'opened', backend: 'wasm' }, thread).effects).toEqual([
      { type: 'count', counter: 'fallbacks' },
      { type: 'emit-fallback', from: 'webgl', to: 'wasm', reason: describeError(new WorkerCrashedError('died')) },
    ]);
    const openError = new Error('no');
    expect(next(died, { type: 'open-failed', error: openError, now: 0 }, thread).effects).toEqual([]);
    const wedged = next(at('webgl'), runFailed(new EngineWedgedError('webgl', 'stuck'), 'webgl'), thread).state;
    expect(next(wedged, { type: 'opened', backend: 'webgl' }, thread).effects).toEqual([{ type: 'retry', on: 'current' }]);
    expect(next(wedged, { type: 'open-failed', error: openError, now: 0 }, thread)).toMatchObject({ state: { status: 'failed' }, effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: openError }] });
    const second = new Error('pending call');
    expect(next(died, runFailed(second, 'webgl'), thread)).toEqual({ state: died, effects: [{ type: 'count', counter: 'errors' }, { type: 'reject', error: second }] });
    expect(next(died, { type: 'retry-succeeded' }, thread)).toEqual({ state: died, effects: [] });
    // A relocation without a recorded failure names it 'unknown'.
    expect(next({ ...died, failure: undefined }, { type: 'opened', backend: 'wasm' }, thread).effects[1]).toMatchObject({ reason: 'unknown' });
  });
});
