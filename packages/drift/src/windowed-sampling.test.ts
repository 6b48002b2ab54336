import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { RunSampler } from './run-sampler.js';
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
    // Inputs and outputs: each sketched run once, the others not at all; latency: every run (exact, and cheap).
    expect(report.latencyMs.count).toBe(8000);
    expect(report.backends).toEqual({ wasm: 8000 });
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

  it('a run given a runId keeps its prediction for feedback even when passed over, but is sketched only at the fraction', () => {
    const { monitor, feed } = setup({ sample: 0.01 });
    // Apps name the runs that can get a label: shifted ones here. Sketching them all would skew the sample.
    const named = feed(uniform(200, 0.5), (i) => `run-${i}`);
    expect(named).toEqual(uniform(200).map((_, i) => `run-${i}`));
    const sketchedNamed = monitor.report().sampling!.sketched;
    expect(sketchedNamed).toBeLessThan(20);
    for (let i = 0; i < 200; i += 37) expect(monitor.feedback(`run-${i}`, 1), `run-${i}`).toBe(true);
    expect(monitor.accuracy().labeled).toBe(6);
    const minted = feed(uniform(2000));
    const withIds = minted.filter((id) => id !== undefined).length;
    // Automatic ids only on the unnamed runs sketched.
    expect(withIds).toBe(monitor.report().sampling!.sketched - sketchedNamed);
    expect(withIds).toBeLessThan(100);
    expect(monitor.counters.runs).toBe(2200);
  });

  it('3 % of runs named, all from a shifted segment: the sample stays uniform, so the verdict is the full monitor\'s', () => {
    const run = (sample?: number) => {
      const { monitor } = setup(sample ? { sample } : {});
      const outputs = { out: { data: Float32Array.of(0.2, 0.8), dims: [1, 2] } };
      for (let i = 0; i < 100_000; i++) {
        const named = i % 33 === 0;
        const v = named ? 0.7 + (i % 300) / 1000 : (i % 2000) / 2000;
        monitor.record(monitor.inspect({ input: { data: Float32Array.of(v), dims: [1, 1] } }), outputs, 0.1, 'wasm', named ? `run-${i}` : undefined);
      }
      return monitor.drift()!;
    };
    const full = run();
    const sampled = run(0.02);
    expect(full.drifted).toBe(false);
    expect(sampled.drifted).toBe(false);
    expect(sampled.features[0]!.count).toBeLessThan(3000);
  });

  it('reset() zeroes the sampling counts with the counters', () => {
    const { monitor, feed } = setup({ sample: 0.5 });
    feed(uniform(100));
    monitor.reset();
    feed(uniform(10));
    const { sketched, skipped } = monitor.report().sampling!;
    expect(sketched + skipped).toBe(10);
    expect(monitor.counters.runs).toBe(10);
  });

  it('with cpuBudget, a batch that closed a window (its drift and merge) is not charged as the monitor\'s per-run cost', () => {
    const heard: number[] = [];
    const original = RunSampler.prototype.observeCost;
    RunSampler.prototype.observeCost = function (ms: number, runs: number) {
      heard.push(runs);
      return original.call(this, ms, runs);
    };
    try {
      const { clock, monitor, feed } = setup({ cpuBudget: 0.01 });
      feed(uniform(64)); // two full batches
      expect(heard).toEqual([32, 32]);
      feed(uniform(10));
      clock.now = T0 + HOUR + 5;
      feed(uniform(22)); // the batch's first 10 runs are the old window's: applying it closes that window
      expect(heard).toEqual([32, 32]);
      feed(uniform(32));
      expect(heard).toEqual([32, 32, 32]);
    } finally {
      RunSampler.prototype.observeCost = original;
    }
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
