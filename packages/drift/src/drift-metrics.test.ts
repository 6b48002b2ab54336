import { describe, expect, it } from 'vitest';
import { CategoricalSketch } from './categorical-sketch.js';
import { alignedCounts, chiSquareTest, jensenShannon, ksStatistic, ksTest, psi, wasserstein } from './drift-metrics.js';
import { KllSketch } from './kll-sketch.js';

/** Reference values computed independently (the formulas by hand, scipy.stats 1.17 for the tests). */
const kll = (values: number[]) => {
  const s = new KllSketch();
  for (const v of values) s.update(v);
  return s;
};
const categories = (counts: Record<string, number>) => {
  const s = new CategoricalSketch(64);
  for (const [c, n] of Object.entries(counts)) s.update(c, n);
  return s;
};

describe('drift metrics against reference values', () => {
  it('PSI: 0 for the same shares, symmetric reversal, empty bins floored at 1e-4', () => {
    expect(psi([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 12);
    expect(psi([10, 20, 30, 40], [40, 30, 20, 10])).toBeCloseTo(0.912869638, 8);
    expect(psi([10, 0, 30], [10, 5, 30])).toBeCloseTo(0.791620781, 8);
  });

  it('Jensen-Shannon distance: natural log, √ln 2 for disjoint supports, 0 for equal shares', () => {
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 12);
    expect(jensenShannon([10, 20, 30, 40], [40, 30, 20, 10])).toBeCloseTo(0.326251644, 8);
    expect(jensenShannon([2, 4], [1, 2])).toBeCloseTo(0, 12);
    expect(jensenShannon([0, 0], [0, 0])).toBe(0);
  });

  it('KS statistic and Wasserstein-1 match scipy on exact (small) sketches', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const b = a.map((v) => v + 10);
    expect(ksStatistic(kll(a), kll(b))).toBeCloseTo(0.1, 12);
    expect(wasserstein(kll(a), kll(b))).toBeCloseTo(10, 10);
    expect(ksStatistic(kll([0, 1, 2, 3]), kll([0, 0, 3, 3]))).toBeCloseTo(0.25, 12);
    expect(wasserstein(kll([0, 1, 2, 3]), kll([0, 0, 3, 3]))).toBeCloseTo(0.5, 12);
    expect(wasserstein(kll(a), kll(a))).toBe(0);
  });

  it('KS test: p-value from D minus both sketches’ error bounds (exact sketches: no reduction)', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const t = ksTest(kll(a), kll(a.map((v) => v + 30)));
    expect(t.statistic).toBeCloseTo(0.3, 12);
    expect(t.errorBound).toBe(0);
    expect(t.pValue).toBeLessThan(0.001);
    expect(ksTest(kll(a), kll(a)).pValue).toBe(1);
  });

  it('chi-square: matches scipy.stats.chi2.sf; a category the reference never saw is drift', () => {
    const shifted = chiSquareTest(categories({ a: 50, b: 50 }), categories({ a: 30, b: 10 }));
    expect(shifted.statistic).toBeCloseTo(10, 10);
    expect(shifted.df).toBe(1);
    expect(shifted.pValue).toBeCloseTo(0.001565402, 8);
    const unseen = chiSquareTest(categories({ a: 50, b: 50 }), categories({ a: 20, b: 20, c: 1 }));
    expect(unseen.statistic).toBeCloseTo(241.930929, 5);
    expect(unseen.df).toBe(2);
    expect(unseen.pValue).toBeLessThan(1e-50);
    expect(chiSquareTest(categories({ a: 5, b: 5 }), categories({ a: 50, b: 50 })).pValue).toBeCloseTo(1, 12);
  });

  it('aligns category counts on the sorted union of categories', () => {
    expect(alignedCounts(categories({ b: 2, a: 1 }), categories({ c: 3, a: 4 }))).toEqual([
      [1, 2, 0],
      [4, 0, 3],
    ]);
  });
});

describe('KS test on compacted sketches', () => {
  const seeded = (seed: number) => () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const sketch = (seed: number, n: number, shift = 0) => {
    const rand = seeded(seed);
    const s = new KllSketch(64);
    for (let i = 0; i < n; i++) s.update(rand() + shift);
    return s;
  };

  it('the same distribution at 100k values each is not a drift: sketch error is taken off D before the p-value', () => {
    const a = sketch(1, 100_000);
    const b = sketch(2, 100_000);
    const test = ksTest(a, b);
    expect(test.errorBound).toBeCloseTo(a.epsilon + b.epsilon, 15);
    expect(test.errorBound).toBeGreaterThan(0);
    expect(test.pValue).toBeGreaterThan(0.05);
  });

  it('a real shift larger than the sketch error still is', () => {
    const test = ksTest(sketch(1, 100_000), sketch(2, 100_000, 0.2));
    expect(test.statistic).toBeGreaterThan(test.errorBound);
    expect(test.pValue).toBeLessThan(1e-6);
  });
});
