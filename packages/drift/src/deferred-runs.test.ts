import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { DEFER_MAX_BYTES, DEFER_MAX_RUNS, DeferredRuns, type DeferredRun } from './deferred-runs.js';
import { ModelMonitor } from './model-monitor.js';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const baseline = buildBaseline({ x: Array.from({ length: 500 }, (_, i) => i / 500), m: Array.from({ length: 500 }, (_, i) => (i % 100) / 100) });
const features = [
  { name: 'x', input: 'input', reduce: 'value' as const },
  { name: 'm', input: 'input', reduce: 'mean' as const },
];
const out = { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } };

/**
 * The windowed monitor applies runs in batches (DeferredRuns): nothing a reader sees may differ
 * from applying each run at once. An eager ModelMonitor fed the same runs is the reference.
 */
describe('deferred runs: the monitor reads the same as if every run were applied at once', () => {
  it('every reader sees runs recorded just before it', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const inputs = { input: { data: Float32Array.of(0.25, 0.75), dims: [1, 2] } };
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    expect(monitor.deferredRuns).toBe(1);
    expect(monitor.counters.runs).toBe(1);
    expect(monitor.deferredRuns).toBe(0);
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    expect(monitor.aggregates().body.counters.runs).toBe(2);
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    expect(monitor.drift()!.window!.runs).toBe(3);
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    expect(monitor.report().counters.runs).toBe(4);
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    expect(monitor.takeWindows(true)[0]!.body.counters.runs).toBe(5);
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    const copy = new WindowedMonitor({ baseline, features }, () => T0);
    copy.restore(monitor.snapshot());
    expect(copy.counters.runs).toBe(6);
  });

  it('what a run saw is copied: a caller refilling its buffer after run() changes nothing recorded', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const eager = new ModelMonitor({ baseline, features });
    const buffer = new Float32Array(2);
    for (let i = 0; i < 20; i++) {
      buffer.set([i / 20, 1 - i / 20]);
      const inputs = { input: { data: buffer, dims: [1, 2] } };
      eager.record(eager.inspect(inputs), out, 1, 'wasm');
      monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
      buffer.fill(99); // the next frame, written before the monitor applied this one
    }
    expect(monitor.aggregates().body.features).toEqual(eager.aggregates().body.features);
    expect(monitor.drift()!.features).toEqual(eager.drift()!.features);
  });

  it("the scores are copied too: a caller reusing the output's buffer changes no prediction recorded", () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const eager = new ModelMonitor({ baseline, features });
    const scores = new Float32Array(2);
    const inputs = { input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } };
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      scores.set(i % 2 ? [0.9, 0.1] : [0.3, 0.7]);
      const outputs = { out: { data: scores, dims: [1, 2] } };
      eager.record(eager.inspect(inputs), outputs, 1, 'wasm');
      ids.push(monitor.record(monitor.inspect(inputs), outputs, 1, 'wasm')!);
      scores.fill(0);
    }
    const { topClasses, confidence } = monitor.aggregates().body;
    expect(topClasses).toEqual({ '0': 5, '1': 5 });
    expect({ topClasses, confidence }).toEqual({ topClasses: eager.aggregates().body.topClasses, confidence: eager.aggregates().body.confidence });
    // Run i predicted class i % 2 ? 0 : 1; labelling each with that class counts every one correct.
    ids.forEach((id, i) => expect(monitor.feedback(id, i % 2 ? 0 : 1)).toBe(true));
    expect(monitor.accuracy()).toMatchObject({ labeled: 10, correct: 10 });
  });

  it('a label for a run still waiting in the batch is counted against its prediction', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const id = monitor.record(monitor.inspect({ input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } }), out, 1, 'wasm')!;
    expect(monitor.deferredRuns).toBe(1);
    expect(monitor.feedback(id, 1)).toBe(true);
    expect(monitor.feedback(id, 1)).toBe(false); // once
    expect(monitor.accuracy()).toMatchObject({ labeled: 1, correct: 1 });
  });

  it('minted ids pushed out of a small ring while their runs wait are gone, the newest are kept', () => {
    const monitor = new WindowedMonitor({ baseline, features, labels: { maxPending: 3 } }, () => T0);
    const inputs = { input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } };
    const ids = Array.from({ length: 8 }, () => monitor.record(monitor.inspect(inputs), out, 1, 'wasm')!);
    expect(monitor.deferredRuns).toBe(8);
    expect(ids.map((id) => monitor.feedback(id, 1))).toEqual([false, false, false, false, false, true, true, true]);
    expect(monitor.accuracy()).toMatchObject({ labeled: 3, correct: 3 });
  });

  it('a label for an unknown id applies no batch; a reset keeps the labels of runs that were waiting', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const inputs = { input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } };
    const id = monitor.record(monitor.inspect(inputs), out, 1, 'wasm')!;
    expect(monitor.feedback('no-such-run', 1)).toBe(false);
    expect(monitor.deferredRuns).toBe(1);
    monitor.reset();
    expect(monitor.counters.runs).toBe(0);
    expect(monitor.feedback(id, 1)).toBe(true);
    expect(monitor.accuracy()).toMatchObject({ labeled: 1, correct: 1 });
  });

  it("a Node Buffer input is copied, not viewed: refilling it changes nothing recorded and no batch writes into it", () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const eager = new ModelMonitor({ baseline, features });
    const first = Buffer.from([0, 0]);
    for (let i = 0; i < 5; i++) {
      const data = i === 0 ? first : Buffer.from([0, 0]);
      const inputs = { input: { data, dims: [1, 2] } };
      eager.record(eager.inspect(inputs), out, 1, 'wasm');
      monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
      data.fill(200);
    }
    first.fill(7);
    monitor.counters; // applies the batch
    const later = Buffer.from([9, 9]);
    monitor.record(monitor.inspect({ input: { data: later, dims: [1, 2] } }), out, 1, 'wasm');
    expect([...first]).toEqual([7, 7]);
    eager.record(eager.inspect({ input: { data: Buffer.from([9, 9]), dims: [1, 2] } }), out, 1, 'wasm');
    expect(monitor.aggregates().body.features).toEqual(eager.aggregates().body.features);
  });

  it('a run counts in the window it ran in, though applied after the clock moved on', () => {
    const clock = { now: T0 + 10 };
    const monitor = new WindowedMonitor({ baseline, features }, () => clock.now);
    const inputs = { input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } };
    for (let i = 0; i < 3; i++) monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    clock.now = T0 + HOUR + 10;
    monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
    const drift = monitor.drift()!;
    expect(drift.previousWindow).toMatchObject({ start: T0, runs: 3 });
    expect(drift.window).toMatchObject({ start: T0 + HOUR, runs: 1 });
    expect(monitor.takeWindows(false).map((w) => [w.window.start, w.body.counters.runs])).toEqual([[T0, 3]]);
  });

  it('an error counted between runs lands after the runs before it, in its own window', () => {
    const clock = { now: T0 + 10 };
    const monitor = new WindowedMonitor({ baseline, features }, () => clock.now);
    monitor.record(monitor.inspect({ input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } }), out, 1, 'wasm');
    clock.now = T0 + HOUR + 10;
    monitor.count('errors');
    const [closed] = monitor.takeWindows(true);
    expect(closed!.body.counters).toMatchObject({ runs: 1, errors: 0 });
  });

  it('a loop that never reads waits for at most DEFER_MAX_RUNS runs, and loses none', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    const inputs = { input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } };
    let most = 0;
    for (let i = 0; i < 5 * DEFER_MAX_RUNS + 3; i++) {
      monitor.record(monitor.inspect(inputs), out, 1, 'wasm');
      most = Math.max(most, monitor.deferredRuns);
    }
    expect(most).toBe(DEFER_MAX_RUNS - 1);
    expect(monitor.counters.runs).toBe(5 * DEFER_MAX_RUNS + 3);
  });

  it('a reset drops the runs still waiting, as it drops the applied ones', () => {
    const monitor = new WindowedMonitor({ baseline, features }, () => T0);
    monitor.record(monitor.inspect({ input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } }), out, 1, 'wasm');
    monitor.reset();
    expect(monitor.counters.runs).toBe(0);
    expect(monitor.deferredRuns).toBe(0);
  });

  it("onSuspicious 'reject' still reads features before the run, to refuse it", () => {
    const monitor = new WindowedMonitor({ baseline, features, onSuspicious: 'reject' }, () => T0);
    expect(monitor.inspect({ input: { data: Float32Array.of(50, 0.5), dims: [1, 2] } }).suspicious).toMatchObject({ feature: 'x', value: 50 });
    expect(monitor.inspect({ input: { data: Float32Array.of(0.5, 0.5), dims: [1, 2] } }).values.get('x')).toEqual([0.5]);
  });
});

/** DeferredRuns alone: what each applied run holds, and when a batch is applied. */
describe('DeferredRuns: the copies a batch reads', () => {
  const scores = { data: Float32Array.of(0.1, 0.9), dims: [1, 2] };
  const collect = () => {
    const seen: Array<{ inputs: Record<string, number[]>; dims: Record<string, readonly number[]> }> = [];
    const runs = new DeferredRuns((run: DeferredRun) =>
      seen.push({
        inputs: Object.fromEntries(Object.entries(run.inputs).map(([k, t]) => [k, Array.from(t.data as ArrayLike<number>, Number)])),
        dims: Object.fromEntries(Object.entries(run.inputs).map(([k, t]) => [k, t.dims])),
      }),
    );
    return { runs, seen };
  };

  it('a run without an input that an earlier run in the same slot had does not inherit its copy', () => {
    const { runs, seen } = collect();
    runs.add({ a: { data: Float32Array.of(1, 2), dims: [1, 2] } }, ['a'], scores, 1, 'wasm', 0, 0);
    runs.flush();
    runs.add({}, ['a'], scores, 1, 'wasm', 0, 0); // slot 0 again, now without "a"
    runs.flush();
    expect(seen).toEqual([{ inputs: { a: [1, 2] }, dims: { a: [1, 2] } }, { inputs: {}, dims: {} }]);
  });

  it('a reused slot takes the new length and type: a shorter, then an integer input are not mixed with the old copy', () => {
    const { runs, seen } = collect();
    runs.add({ a: { data: Float32Array.of(1, 2, 3), dims: [3] } }, ['a'], scores, 1, 'wasm', 0, 0);
    runs.flush();
    runs.add({ a: { data: Float32Array.of(7), dims: [1] } }, ['a'], scores, 1, 'wasm', 0, 0);
    runs.flush();
    // Same length as the copy before it, another type: 2^24 + 1 has no float32, so a copy into the old buffer would show.
    runs.add({ a: { data: Int32Array.of(16_777_217), dims: [1] } }, ['a'], scores, 1, 'wasm', 0, 0);
    runs.flush();
    expect(seen.map((r) => [r.inputs.a, r.dims.a])).toEqual([
      [[1, 2, 3], [3]],
      [[7], [1]],
      [[16_777_217], [1]],
    ]);
  });

  it('a plain-array input is copied as numbers (not as bytes), so refilling the array changes nothing applied', () => {
    const { runs, seen } = collect();
    const data = [0.5, 300, -2];
    runs.add({ a: { data, dims: [3] } }, ['a'], scores, 1, 'wasm', 0, 0);
    data.fill(0);
    runs.flush();
    expect(seen[0]!.inputs.a).toEqual([0.5, 300, -2]);
  });

  it('large inputs are applied once their copies reach DEFER_MAX_BYTES, before DEFER_MAX_RUNS runs', () => {
    const { runs, seen } = collect();
    const quarter = DEFER_MAX_BYTES / 4 / 4; // floats in a quarter of the byte budget
    const input = { a: { data: new Float32Array(quarter), dims: [quarter] } };
    for (let i = 0; i < 3; i++) runs.add(input, ['a'], scores, 1, 'wasm', 0, 0);
    expect([runs.waiting, seen.length]).toEqual([3, 0]);
    runs.add(input, ['a'], scores, 1, 'wasm', 0, 0); // exactly DEFER_MAX_BYTES now
    expect([runs.waiting, seen.length]).toEqual([0, 4]);
    // The byte count starts again from zero after a batch.
    for (let i = 0; i < 3; i++) runs.add(input, ['a'], scores, 1, 'wasm', 0, 0);
    expect([runs.waiting, seen.length]).toEqual([3, 4]);
  });

  it('clear() without a callback forgets the waiting runs; with one, shows each first', () => {
    const { runs, seen } = collect();
    runs.add({ a: { data: Float32Array.of(1), dims: [1] } }, ['a'], scores, 1, 'wasm', 0, 0);
    runs.clear();
    expect(runs.waiting).toBe(0);
    runs.flush();
    expect(seen).toEqual([]);
    runs.add({ a: { data: Float32Array.of(2), dims: [1] } }, ['a'], scores, 1, 'wasm', 0, 0);
    const shown: number[] = [];
    runs.clear((run) => shown.push(Number(run.inputs.a!.data[0])));
    expect(shown).toEqual([2]);
  });
});

describe('DeferredRuns onCost (what monitor.cpuBudget steers by)', () => {
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const add = (runs: DeferredRuns) => runs.add({ input: { data: Float32Array.of(1), dims: [1, 1] } }, ['input'], out.out, 1, 'wasm', T0, 0);

  it('hears each batch once, with its runs and at least the time its runs took to apply', () => {
    const heard: Array<[number, number]> = [];
    const runs = new DeferredRuns(() => busy(0.5), (ms, n) => heard.push([ms, n]));
    runs.flush(); // nothing waiting: nothing to hear
    expect(heard).toEqual([]);
    for (let i = 0; i < 3; i++) add(runs);
    runs.flush();
    expect(heard).toHaveLength(1);
    expect(heard[0]![1]).toBe(3);
    expect(heard[0]![0]).toBeGreaterThanOrEqual(1.5);
    for (let i = 0; i < DEFER_MAX_RUNS; i++) add(runs); // the full batch flushes itself
    expect(heard).toHaveLength(2);
    expect(heard[1]![1]).toBe(DEFER_MAX_RUNS);
    expect(heard[1]![0]).toBeGreaterThanOrEqual(0.5 * DEFER_MAX_RUNS);
  });

  it('counts the batch\'s add() time too: the first add of a batch is timed and charged to each of its runs', () => {
    const heard: number[] = [];
    const runs = new DeferredRuns(() => undefined, (ms) => heard.push(ms));
    // An input whose copy is slow to read: a getter-backed length makes the first add measurable.
    const slow = { input: { data: Float32Array.of(1), dims: [1, 1] } };
    Object.defineProperty(slow.input, 'dims', { get: () => (busy(2), [1, 1]) });
    runs.add(slow, ['input'], out.out, 1, 'wasm', T0, 0);
    for (let i = 0; i < 3; i++) add(runs);
    runs.flush();
    // 2 ms (at least) for the first add, charged to all 4 runs.
    expect(heard[0]).toBeGreaterThanOrEqual(8);
  });
});
