import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { ByteWriter } from './binary.js';
import { emptyLabelCounts } from './label-tracker.js';
import { LEGACY_WINDOWED_SNAPSHOT_VERSION, ModelMonitor, readSnapshot } from './model-monitor.js';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0); // on the grid
const baseline = buildBaseline({ x: Array.from({ length: 500 }, (_, i) => i / 500) });
const features = [{ name: 'x', input: 'input', reduce: 'value' as const }];

function setup(options: object = {}) {
  const clock = { now: T0 + 10 * 60_000 };
  const monitor = new WindowedMonitor({ baseline, features, ...options }, () => clock.now);
  const feed = (values: number[]) => {
    for (const v of values) {
      const inputs = { input: { data: Float32Array.of(v), dims: [1, 1] } };
      monitor.record(monitor.inspect(inputs), { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } }, 1.5, 'wasm');
    }
  };
  return { clock, monitor, feed };
}
const uniform = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => Math.min(1, i / n + shift));

describe('WindowedMonitor (fake clock)', () => {
  it('windows roll on the grid as the clock advances; the cumulative view keeps everything', () => {
    const { clock, monitor, feed } = setup();
    feed(uniform(100));
    let report = monitor.drift()!;
    expect(report.window).toMatchObject({ start: T0, end: T0 + HOUR, runs: 100 });
    expect(report.previousWindow).toBeUndefined();

    clock.now = T0 + HOUR + 5; // the next cell
    feed(uniform(60, 0.5)); // shifted: this window drifts, the first did not
    report = monitor.drift()!;
    expect(report.window).toMatchObject({ start: T0 + HOUR, end: T0 + 2 * HOUR, runs: 60, drifted: true });
    expect(report.previousWindow).toMatchObject({ start: T0, end: T0 + HOUR, runs: 100, drifted: false });
    expect(report.features[0]!.count).toBe(160); // cumulative
    expect(monitor.counters.runs).toBe(160);
  });

  it('the uplink takes closed windows once, counts only, without changing local drift', () => {
    const { clock, monitor, feed } = setup();
    feed(uniform(100));
    clock.now = T0 + HOUR;
    feed(uniform(40));
    const before = JSON.stringify(monitor.drift());
    const windows = monitor.takeWindows(false);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.window).toEqual({ start: T0, end: T0 + HOUR });
    expect(windows[0]!.body.counters.runs).toBe(100);
    expect(windows[0]!.body.features.x).toMatchObject({ kind: 'numeric' });
    expect(JSON.stringify(monitor.drift())).toBe(before);
    expect(monitor.takeWindows(false)).toEqual([]);
    expect(monitor.aggregates().body.counters.runs).toBe(140);
  });

  it('an open window taken early is not counted twice when it closes', () => {
    const { clock, monitor, feed } = setup();
    feed(uniform(30));
    const early = monitor.takeWindows(true);
    expect(early).toHaveLength(1);
    expect(early[0]!.window).toEqual({ start: T0, end: clock.now });
    feed(uniform(20));
    clock.now = T0 + 2 * HOUR + 1; // skips a whole empty window: no report for it
    const rest = monitor.takeWindows(false);
    expect(rest.map((w) => w.window)).toEqual([{ start: T0, end: T0 + HOUR }]);
    expect(rest[0]!.body.counters.runs).toBe(20);
    const bins = (w: (typeof rest)[number]) => (w.body.features.x as { counts: number[] }).counts;
    const summed = bins(early[0]!).map((c, i) => c + bins(rest[0]!)[i]!);
    expect(summed.reduce((a, b) => a + b, 0)).toBe(50);
    expect(summed.every((c) => c >= 0)).toBe(true);
  });

  it('keeps at most maxClosedWindows for the uplink, dropping the oldest', () => {
    const { clock, monitor, feed } = setup({ maxClosedWindows: 2 });
    for (let h = 0; h < 4; h++) {
      clock.now = T0 + h * HOUR + 1;
      feed([0.5]);
    }
    clock.now = T0 + 4 * HOUR;
    expect(monitor.takeWindows(false).map((w) => w.window.start)).toEqual([T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(monitor.droppedWindows).toBe(2);
  });

  it('a snapshot carries the open window and the untaken ones into a fresh monitor', () => {
    const { clock, monitor, feed } = setup();
    feed(uniform(10));
    clock.now = T0 + HOUR + 1;
    feed(uniform(7));
    const bytes = monitor.snapshot();
    const fresh = new WindowedMonitor({ baseline, features }, () => clock.now);
    fresh.restore(bytes);
    expect(fresh.drift()!.window).toMatchObject({ start: T0 + HOUR, runs: 7 });
    expect(fresh.counters.runs).toBe(17);
    expect(fresh.takeWindows(false).map((w) => w.body.counters.runs)).toEqual([10]);
    // Restored after its window closed: the saved open window goes to the uplink as a closed one.
    clock.now = T0 + 3 * HOUR;
    const later = new WindowedMonitor({ baseline, features }, () => clock.now);
    later.restore(bytes);
    expect(later.takeWindows(false).map((w) => [w.window.start, w.body.counters.runs])).toEqual([
      [T0, 10],
      [T0 + HOUR, 7],
    ]);
  });

  it('records each run once, yet the cumulative view equals one monitor fed every run (bins, counters), and survives a snapshot', () => {
    const { clock, monitor, feed } = setup();
    const single = new ModelMonitor({ baseline, features });
    const values = [uniform(50), uniform(30, 0.3), uniform(20, 0.6)];
    values.forEach((vs, w) => {
      clock.now = T0 + w * HOUR + 60_000;
      feed(vs);
      for (const v of vs) {
        const inputs = { input: { data: Float32Array.of(v), dims: [1, 1] } };
        single.record(single.inspect(inputs), { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } }, 1.5, 'wasm');
      }
    });
    monitor.count('errors');
    single.count('errors');
    const exact = (body: ReturnType<ModelMonitor['aggregates']>['body']) => JSON.stringify(body);
    expect(exact(monitor.aggregates().body)).toBe(exact(single.aggregates().body));
    expect(monitor.counters).toEqual(single.counters);
    expect(monitor.drift()!.features[0]!.count).toBe(100);
    expect(monitor.drift()!.window!.runs).toBe(20);
    // readSnapshot of the windowed form is the cumulative view too.
    expect(readSnapshot(monitor.snapshot()).counters).toEqual(single.counters);
    const fresh = new WindowedMonitor({ baseline, features }, () => clock.now);
    fresh.restore(monitor.snapshot());
    expect(exact(fresh.aggregates().body)).toBe(exact(single.aggregates().body));
    // A moved model's counts: cumulative, not this window's.
    fresh.addCounters({ runs: 5, errors: 1 });
    expect(fresh.counters).toMatchObject({ runs: 105, errors: 2 });
    expect(fresh.drift()!.window!.runs).toBe(20);
  });

  it('reads the earlier snapshot format (its first part is the cumulative view): nothing counted twice', () => {
    const { clock, feed, monitor: old } = setup();
    feed(uniform(10));
    clock.now = T0 + HOUR + 1;
    feed(uniform(7));
    // The layout the previous release wrote: cumulative (17 runs), the open window (7), the rest.
    const cumulative = new ModelMonitor({ baseline, features });
    cumulative.restore(old.snapshot());
    const window = new ModelMonitor({ baseline, features });
    const inputs = (v: number) => ({ input: { data: Float32Array.of(v), dims: [1, 1] } });
    for (const v of uniform(7)) window.record(window.inspect(inputs(v)), { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } }, 1.5, 'wasm');
    const closed = old.takeWindows(false);
    const w = new ByteWriter().u8(LEGACY_WINDOWED_SNAPSHOT_VERSION);
    w.bytes(cumulative.snapshot()).f64(T0 + HOUR).f64(T0 + 2 * HOUR).bytes(window.snapshot());
    w.string(JSON.stringify({ taken: null, closed, previous: null, droppedWindows: 0, labels: [emptyLabelCounts(), emptyLabelCounts()] }));
    const legacy = w.finish();
    expect(readSnapshot(legacy).counters.runs).toBe(17);
    const fresh = new WindowedMonitor({ baseline, features }, () => clock.now);
    fresh.restore(legacy);
    expect(fresh.counters.runs).toBe(17);
    expect(fresh.drift()!.features[0]!.count).toBe(17);
    // Both windows still reach the uplink, each once.
    expect(fresh.takeWindows(true).map((x) => [x.window.start, x.body.counters.runs])).toEqual([
      [T0, 10],
      [T0 + HOUR, 7],
    ]);
  });

  it('refuses a window length off the grid rules', () => {
    expect(() => new WindowedMonitor({ windowMs: 10 })).toThrow(RangeError);
    expect(() => new WindowedMonitor({ maxClosedWindows: 0 })).toThrow(/maxClosedWindows/);
  });
});
