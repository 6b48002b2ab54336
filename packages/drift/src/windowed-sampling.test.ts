import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0); // on the grid
const baseline = buildBaseline({ x: Array.from({ length: 2000 }, (_, i) => i / 2000) });
const features = [{ name: 'x', input: 'input', reduce: 'value' as const }];
const withinBinomial = (taken: number, n: number, p: number) => Math.abs(taken - n * p) <= 6 * Math.sqrt(n * p * (1 - p));

function setup(options: object) {
  const clock = { now: T0 + 10 * 60_000 };
  const monitor = new WindowedMonitor({ baseline, features, ...options }, () => clock.now);
  const outputs = { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } };
  const feed = (values: number[], runId?: (i: number) => string) =>
    values.map((v, i) => {
      const inputs = { input: { data: Float32Array.of(v), dims: [1, 1] } };
      return monitor.record(monitor.inspect(inputs), outputs, 1.5, 'wasm', runId?.(i));
    });
  return { clock, monitor, feed };
}
const uniform = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => Math.min(1, i / n + shift));

describe('WindowedMonitor with `sample`', () => {
  it('counts every run, sketches a binomial share of them, and says so in report().sampling', () => {
    const { monitor, feed } = setup({ sample: 0.25 });
    feed(uniform(8000));
    const report = monitor.report();
    expect(report.counters.runs).toBe(8000);
    const { sketched, skipped, fraction } = report.sampling!;
    expect(fraction).toBe(0.25);
    expect(sketched + skipped).toBe(8000);
    expect(withinBinomial(sketched, 8000, 0.25)).toBe(true);
    // Inputs, outputs and latency: each sketched run once, the others not at all.
    expect(report.latencyMs.count).toBe(sketched);
    expect(report.confidence.count).toBe(sketched);
    expect(monitor.drift()!.features[0]!.count).toBe(sketched);
    // A uniform sample of in-distribution traffic does not drift; a shifted one does.
    expect(monitor.drift()!.drifted).toBe(false);
  });

  it('a sample of shifted traffic still drifts; the window and cumulative views agree on runs', () => {
    const { monitor, feed } = setup({ sample: 0.1 });
    feed(uniform(5000, 0.3));
    const report = monitor.drift()!;
    expect(report.drifted).toBe(true);
    expect(report.window!.runs).toBe(5000);
    expect(report.features[0]!.count).toBeLessThan(1000);
  });

  it('runs passed over count in the window they ran in, across a roll and in the uplink\'s windows', () => {
    const { clock, monitor, feed } = setup({ sample: 0.5 });
    feed(uniform(100));
    clock.now = T0 + HOUR + 5;
    feed(uniform(60));
    const windows = monitor.takeWindows(true);
    expect(windows.map((w) => w.body.counters.runs)).toEqual([100, 60]);
    const report = monitor.drift()!;
    expect(report.window).toMatchObject({ start: T0 + HOUR, runs: 60 });
    expect(report.previousWindow).toMatchObject({ start: T0, runs: 100 });
    expect(monitor.counters.runs).toBe(160);
    // The sketches hold only the sample: fewer than all 160, and the uplink's bins agree.
    const sketched = monitor.report().sampling!.sketched;
    expect(report.features[0]!.count).toBe(sketched);
    const binned = windows.reduce((sum, w) => sum + (w.body.features.x as { counts: number[] }).counts.reduce((a, b) => a + b, 0), 0);
    expect(binned).toBe(sketched);
  });

  it('a run given a runId is always sketched and can be labelled; a run passed over gets no automatic id', () => {
    const { monitor, feed } = setup({ sample: 0.01 });
    const named = feed(uniform(200), (i) => `run-${i}`);
    expect(named).toEqual(uniform(200).map((_, i) => `run-${i}`));
    expect(monitor.report().sampling!.sketched).toBe(200);
    expect(monitor.feedback('run-7', 1)).toBe(true);
    const minted = feed(uniform(2000));
    const withIds = minted.filter((id) => id !== undefined).length;
    expect(withIds).toBe(monitor.report().sampling!.sketched - 200);
    expect(withIds).toBeLessThan(100);
    expect(monitor.counters.runs).toBe(2200);
  });

  it('without sample or cpuBudget there is no sampler: every run sketched, no sampling in the report', () => {
    const { monitor, feed } = setup({});
    feed(uniform(300));
    expect(monitor.report().sampling).toBeUndefined();
    expect(monitor.drift()!.features[0]!.count).toBe(300);
  });

  it('refuses a bad sample or cpuBudget at construction', () => {
    expect(() => setup({ sample: 0 })).toThrow(RangeError);
    expect(() => setup({ sample: 2 })).toThrow(/monitor\.sample/);
    expect(() => setup({ cpuBudget: 1 })).toThrow(/monitor\.cpuBudget/);
  });
});
