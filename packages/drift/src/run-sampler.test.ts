import { describe, expect, it } from 'vitest';
import { RunSampler, WARMUP_BATCHES } from './run-sampler.js';

/** Binomial bounds: n draws at p land within 6 standard deviations of n·p. */
const withinBinomial = (taken: number, n: number, p: number) => Math.abs(taken - n * p) <= 6 * Math.sqrt(n * p * (1 - p));

describe('RunSampler', () => {
  it('refuses a fraction outside (0, 1] and a budget outside (0, 1), naming the option', () => {
    for (const bad of [0, -0.1, 1.5, Number.NaN]) expect(() => new RunSampler(bad)).toThrow(/monitor\.sample must be a fraction of runs in \(0, 1\]/);
    for (const bad of [0, 1, 2, -0.01, Number.NaN]) expect(() => new RunSampler(1, bad)).toThrow(/monitor\.cpuBudget must be a share/);
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

  /** Runs `runs` runs of `latencyMs`, then reports a batch of 32 sketched runs costing `perRunMs` each. */
  const interval = (sampler: RunSampler, runs: number, latencyMs: number, perRunMs: number) => {
    for (let i = 0; i < runs; i++) sampler.take(latencyMs);
    sampler.observeCost(perRunMs * 32, 32);
  };
  /** Past the warm-up batches, whose timings (JIT, first runs) do not steer. */
  const warmed = (sampler: RunSampler) => {
    for (let b = 0; b < WARMUP_BATCHES; b++) interval(sampler, 32, 50, 1); // absurd figures: ignored
    return sampler;
  };

  it('the warm-up batches do not steer: a first batch 30× dearer than the rest leaves the fraction at sample', () => {
    const sampler = new RunSampler(1, 0.01, 3);
    for (let b = 0; b < WARMUP_BATCHES; b++) {
      interval(sampler, 32, 9, 0.118); // a 9 ms first run, 118 µs a sketched run: what the JIT's first batch measured
      expect(sampler.fraction).toBe(1);
    }
    interval(sampler, 32, 0.14, 0.0035);
    expect(sampler.fraction).toBeCloseTo(0.4, 10);
  });

  it('with a cpuBudget the fraction becomes budget × mean latency / cost per sketched run', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 3));
    // A 0.14 ms model; 3.5 µs a sketched run is 2.5 % of the run, so 1 % is affordable at 0.4.
    interval(sampler, 32, 0.14, 0.0035);
    expect(sampler.fraction).toBeCloseTo(0.4, 10);
    const before = sampler.taken;
    for (let i = 0; i < 100_000; i++) sampler.take(0.14);
    expect(withinBinomial(sampler.taken - before, 100_000, 0.4)).toBe(true);
    // The cost halves: over 32 batches the estimate (and with it the fraction) moves most of the way.
    for (let b = 0; b < 200; b++) interval(sampler, 80, 0.14, 0.00175);
    expect(sampler.fraction).toBeGreaterThan(0.79);
    expect(sampler.fraction).toBeLessThanOrEqual(0.8);
  });

  it('the latency it steers by is the mean over every run since the last batch, skipped ones included', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 1));
    // 99 runs of 0.1 ms and one of 10.1 ms: mean 0.2 ms; 1 % of it is 2 µs, at 4 µs a sketched run: 0.5.
    for (let i = 0; i < 99; i++) sampler.take(0.1);
    sampler.take(10.1);
    sampler.observeCost(0.004 * 32, 32);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    // Runs given a runId (always) count toward the latency too.
    const forced = warmed(new RunSampler(1, 0.01, 1));
    for (let i = 0; i < 10; i++) forced.take(0.2, true);
    forced.observeCost(0.004 * 32, 32);
    expect(forced.fraction).toBeCloseTo(0.5, 10);
    expect(forced.taken).toBe(WARMUP_BATCHES * 32 + 10);
  });

  it('the budget\'s fraction is capped at `sample` and floored at 1e-4; a monitor cheaper than the budget takes every run', () => {
    const capped = warmed(new RunSampler(0.3, 0.5, 1));
    interval(capped, 10, 1, 0.001);
    expect(capped.fraction).toBe(0.3);
    const floored = warmed(new RunSampler(1, 0.001, 1));
    interval(floored, 10, 0.001, 100);
    expect(floored.fraction).toBe(1e-4);
    const cheap = warmed(new RunSampler(1, 0.02, 1));
    interval(cheap, 10, 0.14, 0.0001);
    expect(cheap.fraction).toBe(1);
  });

  it('costs without runs, non-numbers and batches with no run since the last are ignored; without a budget costs change nothing', () => {
    const sampler = warmed(new RunSampler(1, 0.01, 1));
    interval(sampler, 10, 2, 0.04); // 1 % of 2 ms is 20 µs, at 40 µs a run: 0.5
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    for (let i = 0; i < 10; i++) sampler.take(2);
    sampler.observeCost(5, 0);
    sampler.observeCost(Number.NaN, 4);
    expect(sampler.fraction).toBeCloseTo(0.5, 10);
    sampler.observeCost(0.08 * 32, 32); // the 10 runs above still count: 40 µs → 80 µs moves the mean by 1/32
    expect(sampler.fraction).toBeCloseTo(0.02 / (0.04 + 0.04 / 32), 10);
    const fraction = sampler.fraction;
    sampler.observeCost(1, 32); // no run since the last batch: no latency to set it against
    expect(sampler.fraction).toBe(fraction);
    const plain = new RunSampler(0.5);
    for (let b = 0; b < 10; b++) interval(plain, 10, 0.1, 1000);
    expect(plain.fraction).toBe(0.5);
  });
});
