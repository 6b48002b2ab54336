import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, kolmogorovSurvival, ksPValue, logGamma } from './statistics.js';

describe('special functions against published tables', () => {
  it('logGamma', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
  it('chi-square critical values (p = 0.05)', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(11.0705, 5)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(124.3421, 100)).toBeCloseTo(0.05, 4);
  });
  it('Kolmogorov distribution: λ = 1.3581 is the 5% point', () => {
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSurvival(0.1)).toBe(1);
  });
  it('two-sample KS p-value shrinks with sample size for the same D', () => {
    expect(ksPValue(0.1, 100, 100)).toBeGreaterThan(0.5);
    expect(ksPValue(0.1, 5000, 5000)).toBeLessThan(1e-10);
  });
});

describe("two-sample KS p-value: Stephens' small-sample correction", () => {
  // Reference values from Q_KS((√nₑ + 0.12 + 0.11/√nₑ)·D), nₑ = n₁n₂/(n₁+n₂) (Numerical Recipes'
  // probks with Stephens 1970), computed independently. Without the correction the p-values
  // would be 0.0546, 0.106 and 0.112: for 10 vs 10 at D = 0.6 the verdict at 5 % flips.
  it.each([
    [10, 10, 0.6, 0.031047],
    [20, 30, 0.35, 0.081256],
    [200, 200, 0.12, 0.104044],
  ])('n₁ = %i, n₂ = %i, D = %f → p = %f', (n1, n2, d, p) => {
    expect(ksPValue(d, n1, n2)).toBeCloseTo(p, 5);
  });
  it('is symmetric in the two sample sizes and 1 at D = 0', () => {
    expect(ksPValue(0.35, 30, 20)).toBe(ksPValue(0.35, 20, 30));
    expect(ksPValue(0, 50, 50)).toBe(1);
  });
});

describe('special functions against closed forms, on both sides of every branch', () => {
  it('logGamma below 0.5 (the reflection branch): Γ(0.25) and Γ(0.1)', () => {
    expect(logGamma(0.25)).toBeCloseTo(Math.log(3.6256099082219083), 12);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
  });

  // χ² with 2 and 4 degrees of freedom has a closed-form tail: e^(-x/2) and e^(-x/2)(1 + x/2).
  // x below df + 2 takes gammaQ's series, above it the continued fraction.
  const xs = [0.01, 0.3, 1, 2.5, 3.9, 4, 5.5, 6, 10, 25, 60];
  it.each(xs)('P(χ²₂ ≥ %s) = e^(-x/2)', (x) => {
    expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
  });
  it.each(xs)('P(χ²₄ ≥ %s) = e^(-x/2)(1 + x/2)', (x) => {
    expect(chiSquareSurvival(x, 4)).toBeCloseTo(Math.exp(-x / 2) * (1 + x / 2), 12);
  });
  it('lower-tail critical values (p = 0.95, the series branch) and x ≤ 0', () => {
    expect(chiSquareSurvival(0.003932, 1)).toBeCloseTo(0.95, 5);
    expect(chiSquareSurvival(1.145476, 5)).toBeCloseTo(0.95, 6);
    expect(chiSquareSurvival(3.940299, 10)).toBeCloseTo(0.95, 6);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(-1, 3)).toBe(1);
  });

  it('Kolmogorov survival at tabulated points', () => {
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(1 - 0.036055, 5);
    expect(kolmogorovSurvival(1)).toBeCloseTo(1 - 0.7300003, 6);
    expect(kolmogorovSurvival(1.5)).toBeCloseTo(1 - 0.9777820, 6);
    expect(kolmogorovSurvival(2)).toBeCloseTo(1 - 0.9993291, 7);
    expect(kolmogorovSurvival(0)).toBe(1);
  });
});
