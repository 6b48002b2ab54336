import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0); // on the grid
const baseline = buildBaseline({ x: Array.from({ length: 500 }, (_, i) => i / 500) });
const features = [{ name: 'x', input: 'input', reduce: 'value' as const }];

/** `null`: a monitor never told a version (an observer of a model loaded from a bare source). */
function setup(version: string | null = '1.1.0') {
  const clock = { now: T0 + 10 * 60_000 };
  const monitor = new WindowedMonitor({ baseline, features }, () => clock.now);
  if (version !== null) monitor.setVersion(version);
  const feed = (n: number, value = 0.5) => {
    for (let i = 0; i < n; i++) {
      const inputs = { input: { data: Float32Array.of(value), dims: [1, 1] } };
      monitor.record(monitor.inspect(inputs), { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } }, 1.5, 'wasm');
    }
  };
  return { clock, monitor, feed };
}
const summary = (windows: ReturnType<WindowedMonitor['takeWindows']>) => windows.map((w) => ({ version: w.version, window: w.window, runs: w.body.counters.runs }));

describe('windows of one model version each (a canary rolled back mid-window)', () => {
  it('a version change closes the open window so far as the old version, with end = now; the rest of the cell is the new one', () => {
    const { clock, monitor, feed } = setup();
    feed(30); // the canary's runs
    clock.now = T0 + 20 * 60_000;
    monitor.setVersion('1.0.0');
    feed(12, 0.9); // the previous version's, after the swap
    expect(summary(monitor.takeWindows(true))).toEqual([
      { version: '1.1.0', window: { start: T0, end: T0 + 20 * 60_000 }, runs: 30 },
      { version: '1.0.0', window: { start: T0, end: T0 + 20 * 60_000 }, runs: 12 },
    ]);
    feed(3);
    clock.now = T0 + HOUR + 1;
    expect(summary(monitor.takeWindows(false))).toEqual([{ version: '1.0.0', window: { start: T0, end: T0 + HOUR }, runs: 3 }]);
    // Local drift: the window starts over at the change; the cumulative view keeps both versions' runs.
    expect(monitor.counters.runs).toBe(45);
  });

  it('local drift reads the new version\'s part as its window, the old version\'s as the previous one', () => {
    const { clock, monitor, feed } = setup();
    feed(40, 0.5);
    clock.now += 60_000;
    monitor.setVersion('1.0.0');
    feed(7, 0.5);
    const drift = monitor.drift()!;
    expect(drift.window).toMatchObject({ start: T0, runs: 7 });
    expect(drift.previousWindow).toMatchObject({ start: T0, end: T0 + 11 * 60_000, runs: 40 });
    expect(drift.features[0]!.count).toBe(47);
  });

  it('the same version again changes nothing; a change with nothing counted yet reports nothing', () => {
    const { monitor, feed } = setup();
    feed(5);
    monitor.setVersion('1.1.0');
    monitor.setVersion('1.0.0');
    monitor.setVersion('1.2.0');
    feed(2);
    expect(summary(monitor.takeWindows(true))).toEqual([
      { version: '1.1.0', window: { start: T0, end: T0 + 10 * 60_000 }, runs: 5 },
      { version: '1.2.0', window: { start: T0, end: T0 + 10 * 60_000 }, runs: 2 },
    ]);
  });

  it('told the same version later, the open window goes on unsplit', () => {
    const { clock, monitor, feed } = setup();
    feed(3);
    clock.now += 60_000;
    monitor.setVersion('1.1.0');
    feed(2);
    expect(summary(monitor.takeWindows(true))).toEqual([{ version: '1.1.0', window: { start: T0, end: T0 + 11 * 60_000 }, runs: 5 }]);
  });

  it('what the uplink took early of the old version is not sent again when the change closes it', () => {
    const { monitor, feed } = setup();
    feed(10);
    expect(summary(monitor.takeWindows(true))).toEqual([{ version: '1.1.0', window: { start: T0, end: T0 + 10 * 60_000 }, runs: 10 }]);
    feed(4);
    monitor.setVersion('1.0.0');
    feed(1);
    expect(summary(monitor.takeWindows(true)).map((w) => [w.version, w.runs])).toEqual([
      ['1.1.0', 4],
      ['1.0.0', 1],
    ]);
  });

  it('a monitor told no version labels nothing (the uplink then uses its own modelVersion)', () => {
    const { monitor, feed } = setup(null);
    feed(3);
    const [only] = monitor.takeWindows(true);
    expect(only).not.toHaveProperty('version');
  });

  it('a snapshot keeps each part\'s version; restored into a monitor of another version, the saved open window stays apart', () => {
    const { clock, monitor, feed } = setup();
    feed(6);
    monitor.setVersion('1.0.0');
    feed(2);
    const sameVersion = new WindowedMonitor({ baseline, features }, () => clock.now);
    sameVersion.setVersion('1.0.0');
    sameVersion.restore(monitor.snapshot());
    expect(summary(sameVersion.takeWindows(true)).map((w) => [w.version, w.runs])).toEqual([
      ['1.1.0', 6],
      ['1.0.0', 2],
    ]);

    const other = new WindowedMonitor({ baseline, features }, () => clock.now);
    other.setVersion('1.2.0');
    other.restore(monitor.snapshot());
    const inputs = { input: { data: Float32Array.of(0.5), dims: [1, 1] } };
    other.record(other.inspect(inputs), { out: { data: Float32Array.of(1), dims: [1, 1] } }, 1, 'wasm');
    expect(summary(other.takeWindows(true)).map((w) => [w.version, w.runs])).toEqual([
      ['1.1.0', 6],
      ['1.0.0', 2],
      ['1.2.0', 1],
    ]);
    expect(other.counters.runs).toBe(9);
  });
});
