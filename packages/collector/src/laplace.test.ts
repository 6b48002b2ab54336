import { describe, expect, it } from 'vitest';
import { cryptoUnit, laplace } from './laplace.js';

describe('laplace (inverse CDF on a uniform in (0, 1))', () => {
  it('maps the uniform to Laplace(0, scale): the median to 0, the quartiles to ∓scale·ln 2', () => {
    expect(laplace(3, () => 0.5)).toBe(-0);
    expect(laplace(3, () => 0.75)).toBeCloseTo(3 * Math.LN2, 12);
    expect(laplace(3, () => 0.25)).toBeCloseTo(-3 * Math.LN2, 12);
    expect(laplace(2, () => 0.9)).toBeCloseTo(-2 * Math.log(0.2), 12);
    expect(laplace(2, () => 0.1)).toBeCloseTo(2 * Math.log(0.2), 12);
  });

  it('has mean 0 and mean absolute value = scale over many CSPRNG draws', () => {
    const n = 20_000;
    let sum = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      const x = laplace(5);
      sum += x;
      abs += Math.abs(x);
    }
    // Standard errors: √2·5/√n ≈ 0.05 for the mean, 5/√n ≈ 0.035 for |x|; bounds at ~6 of them.
    expect(Math.abs(sum / n)).toBeLessThan(0.3);
    expect(Math.abs(abs / n - 5)).toBeLessThan(0.25);
  });
});

describe('cryptoUnit', () => {
  it('draws doubles in (0, 1) with 53 random bits, uniform, across many refills of its pool', () => {
    const n = 5000; // the pool holds 1024 draws: several refills
    const draws = Array.from({ length: n }, cryptoUnit);
    for (const u of draws) {
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
      expect(Number.isInteger(u * 2 ** 53)).toBe(true);
    }
    expect(new Set(draws).size).toBe(n);
    const mean = draws.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03); // sd of the mean ≈ 0.004
    // Each decile holds about a tenth (low bits and high bits both used).
    const deciles = Array(10).fill(0);
    for (const u of draws) deciles[Math.floor(u * 10)]++;
    for (const d of deciles) expect(Math.abs(d - n / 10)).toBeLessThan(110);
    const lowBits = draws.filter((u) => Math.round(u * 2 ** 53) % 2 === 1).length;
    expect(Math.abs(lowBits - n / 2)).toBeLessThan(250);
  });
});
