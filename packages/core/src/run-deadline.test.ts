import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunDeadline } from './run-deadline.js';

/** The watchdog with fake timers and a fake clock: when a hang is caught, and when it must not be. */
const never = () => new Promise<never>(() => undefined);
const timeout = (ms: number) => new Error(`timed out after ${ms} ms`);
function settled<T>(p: Promise<T>) {
  const state: { done?: 'resolved' | 'rejected'; value?: unknown } = {};
  p.then(
    (value) => Object.assign(state, { done: 'resolved', value }),
    (value: unknown) => Object.assign(state, { done: 'rejected', value }),
  );
  return state;
}
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance', 'Date'] }));
afterEach(() => vi.useRealTimers());

describe('RunDeadline', () => {
  it('refuses a limit that is not a positive number, naming it; Infinity guards nothing', () => {
    for (const bad of [0, -5, Number.NaN]) {
      expect(() => new RunDeadline(bad, 0, timeout)).toThrow(new RangeError(`runTimeoutMs must be a positive number of milliseconds (Infinity for none); received ${bad}.`));
    }
    const run = never();
    expect(new RunDeadline(Infinity, 0, timeout).guard(run)).toBe(run);
  });

  it('fails a hung run after its limit, checking every quarter of it: not at the limit, by 1.25 × the limit', async () => {
    const deadline = new RunDeadline(100, 0, timeout);
    const state = settled(deadline.guard(never()));
    await advance(100);
    expect(state.done).toBeUndefined();
    await advance(10);
    expect(state.done).toBeUndefined();
    await advance(15);
    expect(state).toEqual({ done: 'rejected', value: timeout(100) });
    deadline.stop();
  });

  it('a run that starts between two ticks still gets its whole limit (ticks are counted from its start)', async () => {
    const deadline = new RunDeadline(100, 0, timeout);
    await deadline.guard(Promise.resolve(0)); // starts the watchdog at t = 0: ticks at 25, 50, …
    await advance(20);
    const state = settled(deadline.guard(never()));
    await advance(99); // t = 119, 99 ms into the run, four ticks seen
    expect(state.done).toBeUndefined();
    await advance(26); // the fifth tick, at t = 125: 105 ms in
    expect(state).toEqual({ done: 'rejected', value: timeout(100) });
    deadline.stop();
  });

  it('gives a first run the longer of the two limits', async () => {
    const deadline = new RunDeadline(100, 1000, timeout);
    const first = settled(deadline.guard(never(), true));
    await advance(900);
    expect(first.done).toBeUndefined();
    await advance(350);
    expect(first).toEqual({ done: 'rejected', value: timeout(1000) });
    const short = settled(new RunDeadline(100, 10, timeout).guard(never(), true));
    await advance(125);
    expect(short).toEqual({ done: 'rejected', value: timeout(100) });
  });

  it('passes a settled run through, value or error, and does not fail it later', async () => {
    const deadline = new RunDeadline(100, 0, timeout);
    expect(await deadline.guard(Promise.resolve(7))).toBe(7);
    const boom = new Error('engine');
    await expect(deadline.guard(Promise.reject(boom))).rejects.toBe(boom);
    await advance(500);
    deadline.stop();
  });

  it.each(['resolves', 'rejects'] as const)('a timed-out run that %s late does not disarm the watch over the next run', async (how) => {
    const deadline = new RunDeadline(100, 0, timeout);
    let finishLate!: () => void;
    const late = new Promise<number>((resolve, reject) => (finishLate = () => (how === 'resolves' ? resolve(1) : reject(new Error('late')))));
    const first = settled(deadline.guard(late));
    await advance(125);
    expect(first.done).toBe('rejected');
    const second = settled(deadline.guard(never()));
    await advance(50);
    finishLate();
    await advance(100);
    expect(second).toEqual({ done: 'rejected', value: timeout(100) });
    deadline.stop();
  });

  it('stop() ends the watch', async () => {
    const deadline = new RunDeadline(100, 0, timeout);
    const state = settled(deadline.guard(never()));
    deadline.stop();
    await advance(1000);
    expect(state.done).toBeUndefined();
  });
});
