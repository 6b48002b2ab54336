import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
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

  it('refuses a window length off the grid rules', () => {
    expect(() => new WindowedMonitor({ windowMs: 10 })).toThrow(RangeError);
    expect(() => new WindowedMonitor({ maxClosedWindows: 0 })).toThrow(/maxClosedWindows/);
  });
});
