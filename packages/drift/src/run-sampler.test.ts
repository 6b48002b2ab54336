import { describe, expect, it } from 'vitest';
import { INITIAL_PERIODS, RunSampler, WARMUP_BATCHES } from './run-sampler.js';

/** Binomial bounds: n draws at p land within 6 standard deviations of n·p. */
const withinBinomial = (taken: number, n: number, p: number) => Math.abs(taken - n * p) <= 6 * Math.sqrt(n * p * (1 - p));

describe('RunSampler', () => {
  it('refuses a fraction outside (0, 1] and a budget outside (0, 1), naming the option', () => {
    for (const bad of [0, -0.1, 1.5, Number.NaN, 1e-12, '0.5', true, null]) expect(() => new RunSampler(bad as number)).toThrow(/monitor\.sample must be a fraction of runs in \[0\.0001, 1\]/);
    for (const bad of [0, 1, 2, -0.01, Number.NaN, '0.01', null]) expect(() => new RunSampler(1, bad as number)).toThrow(/monitor\.cpuBudget must be a share/);
    expect(() => new RunSampler(1)).not.toThrow();
    expect(() => new RunSampler(0.5, 0.01)).not.toThrow();
  });

  it('fraction 1 takes every run; fraction p takes a binomial share, the same from any seed', () => {
    const all = new RunSampler(1);
    for (let i = 0; i < 10_000; i++) expect(all.take(0.1)).toBe(true);
    expect(all.skipped).toBe(0);
    for (const [p, seed] of [
      [0.25, 1],
      [0.25, 0xdeadbeef],
      [0.01, 7],
      [0.9, 12345],
    ] as const) {
      const sampler = new RunSampler(p, undefined, seed);
      const n = 100_000;
      for (let i = 0; i < n; i++) sampler.take(0.1);
      expect(sampler.taken + sampler.skipped).toBe(n);
      expect(withinBinomial(sampler.taken, n, p), `p ${p} seed ${seed}: ${sampler.taken}`).toBe(true);
    }
  });

  it('draws are independent of the run\'s position: no period of the input aliases with the sample', () => {
    const sampler = new RunSampler(0.5, undefined, 42);
    // Takes per residue mod 2, 3 and 7: an every-other-run sampler would take all of one residue.
    for (const period of [2, 3, 7]) {
      const taken = new Array(period).fill(0);
      const n = 70_000;
      for (let i = 0; i < n; i++) if (sampler.take(0.1)) taken[i % period]++;
      for (const t of taken) expect(withinBinomial(t, n / period, 0.5), `period ${period}: ${taken.join(', ')}`).toBe(true);
    }
  });

  it('a seed of 0 (xorshift\'s fixed point) still samples', () => {
    const sampler = new RunSampler(0.5, undefined, 0);
    for (let i = 0; i < 10_000; i++) sampler.take(0.1);
    expect(withinBinomial(sampler.taken, 10_000, 0.5)).toBe(true);
  });

  /** `runs` runs of `latencyMs`, then one timed batch of `runs` sketched runs at `perRunMs` each (≥ 1 ms: one period). */
  const period = (sampler: RunSampler, latencyMs: number, perRunMs: number, runs = 1000) => {
    for (let i = 0; i < runs; i++) sampler.take(latencyMs);
    sampler.observeCost(perRunMs * runs, runs);
  };
  /** Past the warm-up batches (absurd figures, ignored) and the initial periods, at these figures. */
  const warmed = (sampler: RunSampler, latencyMs = 0.14, perRunMs = 0.0035) => {
    for (let b = 0; b < WARMUP_BATCHES; b++) period(sampler, 50, 1);
    for (let p = 0; p < INITIAL_PERIODS; p++) period(sampler, latencyMs, perRunMs);
    return sampler;
  };

  it('the warm-up batches do not steer, and the first estimate is the median of the first periods: one GC pause there does not set it', () => {
    const sampler = new RunSampler(1, 0.01, 3);
    for (let b = 0; b < WARMUP_BATCHES; b++) {
      period(sampler, 9, 0.118); // a 9 ms first run, 118 µs a sketched run: what the JIT's first batch measured
      expect(sampler.fraction).toBe(1);
    }
    // A 30 ms pause in the first period (30 µs a run over 1000), then four ordinary periods.
    period(sampler, 0.14, 0.0035 + 0.03);
    for (let p = 1; p < INITIAL_PERIODS; p++) {
      expect(sampler.fraction).toBe(1); // still gathering
      period(sampler, 0.14, 0.0035);
    }
    // 0.14 ms runs, 3.5 µs a sketched run (2.5 %): 1 % is affordable at 0.4.
    expect(sampler.fraction).toBeCloseTo(0.4, 10);
  });

  it('the fraction is budget × mean latency / cost per sketched run, and draws follow it', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 3));
    expect(sampler.fraction).toBeCloseTo(0.4, 10);
    const before = sampler.taken;
    for (let i = 0; i < 100_000; i++) sampler.take(0.14);
    expect(withinBinomial(sampler.taken - before, 100_000, 0.4)).toBe(true);
  });

  it('later periods weigh by runs with older ones decaying by 7/8, and one reading counts at most 8× the mean', () => {
    const halves = warmed(new RunSampler(1, 0.01, 3));
    for (let p = 0; p < 60; p++) period(halves, 0.14, 0.00175);
    expect(halves.fraction).toBeGreaterThan(0.79);
    expect(halves.fraction).toBeLessThanOrEqual(0.8);
    const one = warmed(new RunSampler(1, 0.01, 3));
    period(one, 0.14, 0.0035 * 2);
    // Sums of 5 initial periods decayed by 7/8, plus one at twice the cost, all of 1000 runs.
    const w = (5 * 7) / 8;
    expect(one.fraction).toBeCloseTo(0.0014 / ((w * 0.0035 + 0.007) / (w + 1)), 10);
    const paused = warmed(new RunSampler(1, 0.01, 3));
    period(paused, 0.14, 0.0035 * 1000); // a pause 1000× the mean counts as 8×
    expect(paused.fraction).toBeCloseTo(0.0014 / ((w * 0.0035 + 8 * 0.0035) / (w + 1)), 10);
  });

  it('a clock coarsened to 1 ms (readings 0 or 1 tick, right on average) still steers near the true fraction', () => {
    const sampler = new RunSampler(1, 0.01, 5);
    let seed = 99;
    const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000);
    // A batch of 32 runs truly costs 0.112 ms; a 1 ms clock reads 1 with probability 0.112, else 0.
    const batch = () => {
      for (let i = 0; i < 32 / sampler.fraction; i++) sampler.take(0.14);
      sampler.observeCost(uniform() < 0.112 ? 1 : 0, 32);
    };
    for (let b = 0; b < 20_000; b++) batch();
    expect(sampler.fraction).toBeGreaterThan(0.25);
    expect(sampler.fraction).toBeLessThan(0.65);
  });

  it('the latency it steers by is the mean over every run of the period, passed over ones included; a NaN or negative latency is ignored', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 1), 0.2, 0.004);
    // 0.2 ms runs at 4 µs a sketched run: 1 % is 2 µs, so 0.5.
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    for (let i = 0; i < 10; i++) sampler.take(Number.NaN);
    sampler.take(-1);
    sampler.take(Infinity);
    period(sampler, 0.2, 0.004);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    expect(Number.isFinite(sampler.fraction)).toBe(true);
    // 999 runs of 0.1 ms and one of 100.1 ms: mean 0.2 ms, the same fraction.
    for (let i = 0; i < 999; i++) sampler.take(0.1);
    sampler.take(100.1);
    sampler.observeCost(0.004 * 1000, 1000);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
  });

  it('the budget\'s fraction is capped at `sample` and floored at 1e-4; a monitor cheaper than the budget takes every run', () => {
    expect(warmed(new RunSampler(0.3, 0.5, 1), 1, 0.001).fraction).toBe(0.3);
    expect(warmed(new RunSampler(1, 0.001, 1), 0.001, 100).fraction).toBe(1e-4);
    expect(warmed(new RunSampler(1, 0.02, 1), 0.14, 0.0001).fraction).toBe(1);
  });

  it('costs without runs and non-numbers are ignored; without a budget costs change nothing; resetCounts zeroes the counts only', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 1), 2, 0.04);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    sampler.observeCost(5, 0);
    sampler.observeCost(Number.NaN, 4);
    sampler.observeCost(Infinity, 4);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    sampler.resetCounts();
    expect([sampler.taken, sampler.skipped]).toEqual([0, 0]);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    const plain = new RunSampler(0.5);
    for (let b = 0; b < 20; b++) period(plain, 0.1, 1000);
    expect(plain.fraction).toBe(0.5);
  });
});
