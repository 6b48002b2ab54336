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
