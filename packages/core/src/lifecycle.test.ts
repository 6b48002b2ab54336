import { describe, expect, it } from 'vitest';
import type { BackendName } from './engine.js';
import { BackendError, EngineWedgedError, InputError, WorkerCrashedError } from './errors.js';
import { classifyFailure } from './failure.js';
import { initialState, next, type LifecycleEffect, type LifecyclePolicy, type LifecycleState } from './lifecycle.js';

const session: LifecyclePolicy = { scope: 'session', retryBaseMs: 100, retryMaxMs: 1000 };
const thread: LifecyclePolicy = { ...session, scope: 'thread' };
const ready = initialState('webgpu', ['webgpu', 'webgl', 'wasm']);
const fail = (error: unknown, backend: BackendName = 'webgpu') => ({ type: 'run-failed' as const, failure: classifyFailure(error, backend), now: 1000 });
const types = (effects: LifecycleEffect[]) => effects.map((e) => (e.type === 'count' ? `count:${e.counter}` : e.type === 'open' ? `open:${e.role}:${e.candidates.join(',')}` : e.type));

describe('lifecycle transitions (session scope: the model that owns the engine session)', () => {
  it('an input error rejects and stays: never a fallback', () => {
    const t = next(ready, fail(new InputError('x', 'NaN', 'finite')), session);
    expect(t.state).toBe(ready);
    expect(types(t.effects)).toEqual(['count:rejected', 'reject']);
  });

  for (const failure of ['device-lost', 'kernel-unsupported', 'out-of-memory', 'backend-unavailable'] as const) {
    it(`${failure}: releases the session first, then opens the rest of the order`, () => {
      const t = next(ready, fail(new BackendError('webgpu', 'x', { failure })), session);
      expect(t.state.status).toBe('falling-back');
      expect(types(t.effects)).toEqual(['release', 'open:replacement:webgl,wasm']);
      const opened = next(t.state, { type: 'opened', backend: 'webgl' }, session);
      expect(opened.state).toMatchObject({ status: 'ready', backend: 'webgl', reopenFailures: 0 });
      expect(types(opened.effects)).toEqual(['count:fallbacks', 'emit-fallback', 'retry']);
    });
  }

  it('a backend fault on the last backend has nowhere to go: reject, stay', () => {
    const last = initialState('wasm', ['webgpu', 'wasm']);
    const t = next(last, fail(new BackendError('wasm', 'x', { failure: 'out-of-memory' }), 'wasm'), session);
    expect(t.state).toBe(last);
    expect(types(t.effects)).toEqual(['count:errors', 'reject']);
  });

  it('an unknown failure keeps the session and tries the same input on a candidate', () => {
    const t = next(ready, fail(new Error('??')), session);
    expect(t.state.status).toBe('verifying');
    expect(types(t.effects)).toEqual(['open:candidate:webgl,wasm']);
    const opened = next(t.state, { type: 'opened', backend: 'webgl' }, session);
    expect(types(opened.effects)).toEqual(['retry']);
    // It ran there: the backend was at fault, the model moves.
    const moved = next(opened.state, { type: 'retry-succeeded' }, session);
    expect(moved.state).toMatchObject({ status: 'ready', backend: 'webgl' });
    expect(types(moved.effects)).toEqual(['release', 'adopt-candidate', 'count:fallbacks', 'emit-fallback', 'resolve']);
    // It failed there too: the input was at fault, the model stays.
    const stayed = next(opened.state, { type: 'retry-failed', failure: classifyFailure(new Error('??'), 'webgl') }, session);
    expect(stayed.state).toMatchObject({ status: 'ready', backend: 'webgpu' });
    expect(types(stayed.effects)).toEqual(['release-candidate', 'count:rejected', 'reject']);
    expect((stayed.effects[2] as { error: unknown }).error).toBeInstanceOf(InputError);
    // The candidate failed for its own reasons: no verdict on the input; the original error stands.
    const own = next(opened.state, { type: 'retry-failed', failure: classifyFailure(new BackendError('webgl', 'k', { failure: 'kernel-unsupported' }), 'webgl') }, session);
    expect(types(own.effects)).toEqual(['release-candidate', 'count:errors', 'reject']);
    expect((own.effects[2] as { error: Error }).error.message).toBe('??');
    // No candidate would open: no evidence, no move.
    const none = next(t.state, { type: 'open-failed', error: new Error('none'), now: 0 }, session);
    expect(none.state).toMatchObject({ status: 'ready', backend: 'webgpu' });
  });

  it('a thread fault in the thread that owns the session: failed, with backoff, then reopen from the top', () => {
    const t = next(ready, fail(new EngineWedgedError('webgpu', 'stuck')), session);
    expect(t.state).toMatchObject({ status: 'failed', retryAt: 1100, reopenFailures: 1 });
    expect(types(t.effects)).toEqual(['release', 'count:errors', 'reject']);
    const early = next(t.state, { type: 'run-while-failed', now: 1050 }, session);
    expect(early.state).toBe(t.state);
    expect(types(early.effects)).toEqual(['count:errors', 'reject']);
    const due = next(t.state, { type: 'run-while-failed', now: 1100 }, session);
    expect(types(due.effects)).toEqual(['open:reopen:webgpu,webgl,wasm']);
    // Failing again doubles the wait, up to the cap.
    let s: LifecycleState = due.state;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      s = next(s, { type: 'open-failed', error: new Error('no'), now: 0 }, session).state;
      waits.push(s.retryAt!);
      s = { ...s, status: 'opening' };
    }
    expect(waits).toEqual([200, 400, 800, 1000, 1000, 1000]);
    const back = next({ ...s, status: 'opening' }, { type: 'opened', backend: 'webgpu' }, session);
    expect(back.state).toMatchObject({ status: 'ready', reopenFailures: 0 });
    expect(types(back.effects)).toEqual(['run']);
  });

  it('recovering on another backend than the one it failed on completes a fallback', () => {
    const failed: LifecycleState = { ...ready, status: 'opening', error: new Error('x'), reopenFailures: 1 };
    expect(types(next(failed, { type: 'opened', backend: 'wasm' }, session).effects)).toEqual(['count:fallbacks', 'emit-fallback', 'run']);
  });

  it('dispose from any state releases; nothing leaves disposed', () => {
    for (const status of ['ready', 'failed', 'verifying'] as const) {
      const t = next({ ...ready, status }, { type: 'dispose' }, session);
      expect(t.state.status).toBe('disposed');
      expect(types(t.effects)).toEqual(['release']);
    }
    const disposed = { ...ready, status: 'disposed' as const };
    expect(next(disposed, { type: 'opened', backend: 'wasm' }, session).state).toBe(disposed);
  });
});

describe('lifecycle transitions (thread scope: the main-thread proxy of a model in a worker)', () => {
  it('passes backend and input failures through: the worker already handled them', () => {
    for (const error of [new InputError('x', 'a', 'b'), new BackendError('webgpu', 'x', { failure: 'device-lost' }), new Error('?')]) {
      const t = next(ready, fail(error), thread);
      expect(t.state).toBe(ready);
      expect(types(t.effects)).toEqual(['reject']);
    }
  });

  it('a wedged engine: a fresh worker, the next backend, the same inputs', () => {
    const t = next(ready, fail(new EngineWedgedError('webgpu', 'lost device')), thread);
    expect(t.state.status).toBe('relocating');
    expect(types(t.effects)).toEqual(['renew-thread', 'open:replacement:webgl,wasm']);
    const opened = next(t.state, { type: 'opened', backend: 'webgl' }, thread);
    expect(types(opened.effects)).toEqual(['count:fallbacks', 'emit-fallback', 'retry']);
  });

  it('a dead or hung worker: this call fails at once, the model reloads on the same backend', () => {
    for (const error of [new WorkerCrashedError('gone'), new WorkerCrashedError('no answer', { hung: true })]) {
      const t = next(ready, fail(error), thread);
      expect(t.state.status).toBe('relocating');
      expect(types(t.effects)).toEqual(['count:errors', 'reject', 'open:replacement:webgpu,webgl,wasm']);
      const opened = next(t.state, { type: 'opened', backend: 'webgpu' }, thread);
      expect(opened.state.status).toBe('ready');
      expect(types(opened.effects)).toEqual([]);
    }
  });

  it('a relocation that finds no backend leaves the model failed, to retry later', () => {
    const t = next(ready, fail(new WorkerCrashedError('gone')), thread);
    const failed = next(t.state, { type: 'open-failed', error: new Error('none'), now: 0 }, thread);
    expect(failed.state).toMatchObject({ status: 'failed', retryAt: 100 });
  });
});
