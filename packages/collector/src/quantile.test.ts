import { describe, expect, it } from 'vitest';
import { binnedMean, binnedQuantile } from './quantile.js';

describe('binnedQuantile', () => {
  it('interpolates inside the bin as histogram_quantile does', () => {
    expect(binnedQuantile([0, 10, 0], [1, 2], 0.5)).toBeCloseTo(1.5);
    expect(binnedQuantile([10, 0, 0], [1, 2], 0.99)).toBeCloseTo(0.99);
    expect(binnedQuantile([5, 5, 0], [1, 2], 0.5)).toBeCloseTo(1);
  });
  it('reports the last edge for the overflow bin and nothing for an empty histogram', () => {
    expect(binnedQuantile([0, 0, 3], [1, 2], 0.5)).toBe(2);
    expect(binnedQuantile([0, 0, 0], [1, 2], 0.5)).toBeUndefined();
    expect(() => binnedQuantile([1], [], 2)).toThrow(RangeError);
  });
  it('means from bin midpoints', () => {
    expect(binnedMean([2, 2, 0], [1, 3])).toBeCloseTo((0.5 * 2 + 2 * 2) / 4);
  });
});
