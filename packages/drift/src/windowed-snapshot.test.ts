import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { SketchFormatError } from './binary.js';
import { WindowedMonitor } from './windowed-monitor.js';

/**
 * A windowed monitor's snapshot is how its state moves to a fresh worker (a crashed or replaced
 * one): everything a reader or the uplink sees must come back as it was, nothing twice.
 */
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0); // on the grid
const baseline = buildBaseline({ x: Array.from({ length: 500 }, (_, i) => i / 500) });
const features = [{ name: 'x', input: 'input', reduce: 'value' as const }];

function setup(options: object = {}) {
  const clock = { now: T0 + 60_000 };
  const make = () => new WindowedMonitor({ baseline, features, ...options }, () => clock.now);
  const monitor = make();
  const feed = (n: number, value = 0.5, scores = [0.2, 0.8]) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const inputs = { input: { data: Float32Array.of(value), dims: [1, 1] } };
      ids.push(monitor.record(monitor.inspect(inputs), { out: { data: Float32Array.from(scores), dims: [1, scores.length] } }, 1.5, 'wasm')!);
    }
    return ids;
  };
  return { clock, monitor, feed, make };
}
const runsOf = (windows: ReturnType<WindowedMonitor['takeWindows']>) => windows.map((w) => [w.window.start, w.body.counters.runs]);

describe('WindowedMonitor snapshot: what a fresh worker gets back', () => {
  it("the last closed window's drift verdict (previousWindow)", () => {
    const { clock, monitor, feed, make } = setup();
    feed(40, 0.95); // drifted: every value in the baseline's top bin
    clock.now = T0 + HOUR + 5;
    feed(3);
    const before = monitor.drift()!.previousWindow!;
    expect(before).toMatchObject({ start: T0, end: T0 + HOUR, runs: 40, drifted: true });
    const fresh = make();
    fresh.restore(monitor.snapshot());
    expect(fresh.drift()!.previousWindow).toEqual(before);
  });

  it('the count of windows dropped because the uplink did not take them', () => {
    const { clock, monitor, feed, make } = setup({ maxClosedWindows: 1 });
    for (let h = 0; h < 4; h++) {
      clock.now = T0 + h * HOUR + 1;
      feed(1);
    }
    clock.now = T0 + 4 * HOUR;
    monitor.drift(); // windows close when something reads the monitor
    expect(monitor.droppedWindows).toBe(3); // of 4 closed, keeps one: maxClosedWindows 1 is allowed
    const fresh = make();
    fresh.restore(monitor.snapshot());
    expect(fresh.droppedWindows).toBe(3);
    expect(runsOf(fresh.takeWindows(false))).toEqual([[T0 + 3 * HOUR, 1]]);
  });

  it('what the uplink took of the open window already is not sent again, whether restored in that window or after it closed', () => {
    const { clock, monitor, feed, make } = setup();
    feed(3);
    expect(runsOf(monitor.takeWindows(true))).toEqual([[T0, 3]]);
    feed(2);
    const bytes = monitor.snapshot();
    const same = make();
    same.restore(bytes);
    expect(runsOf(same.takeWindows(true))).toEqual([[T0, 2]]);
    clock.now = T0 + HOUR + 5;
    const later = make();
    later.restore(bytes);
    expect(runsOf(later.takeWindows(false))).toEqual([[T0, 2]]);
  });

  it('labels of a prediction whose confidence was NaN come back as NaN-bin counts, cumulative and in the window', () => {
    const { monitor, feed, make } = setup();
    // A NaN in the first place is never beaten (NaN compares false): class 0 with a NaN confidence.
    const [nanRight, plain, nanWrong] = [feed(1, 0.5, [Number.NaN, 0.3]), feed(1, 0.5, [0.4, Number.NaN]), feed(1, 0.5, [Number.NaN, Number.NaN])].map((ids) => ids[0]!);
    expect([monitor.feedback(nanRight!, 0), monitor.feedback(plain!, 0), monitor.feedback(nanWrong!, 1)]).toEqual([true, true, true]);
    const labels = monitor.aggregates().body.labels!;
    expect([labels.labeled.nan, labels.correct.nan]).toEqual([2, 1]);
    const fresh = make();
    fresh.restore(monitor.snapshot());
    const restored = fresh.aggregates().body.labels!;
    expect([restored.labeled.nan, restored.correct.nan]).toEqual([2, 1]);
    expect(fresh.accuracy()).toMatchObject({ labeled: 3, correct: 2, window: { labeled: 3, correct: 2 } });
  });

  it('refuses a snapshot with bytes after its end, changing nothing', () => {
    const { monitor, feed, make } = setup();
    feed(2);
    const bytes = monitor.snapshot();
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    const fresh = make();
    expect(() => fresh.restore(padded)).toThrow(SketchFormatError);
    expect(() => fresh.restore(padded)).toThrow('Windowed monitor snapshot has trailing bytes.');
    expect(fresh.counters.runs).toBe(0);
  });
});
