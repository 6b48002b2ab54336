import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericSketch, binIndex } from './numeric-sketch.js';

const sortedEdges = (maxLength: number) =>
  fc.uniqueArray(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength }).map((e) => [...new Set(e.map((x) => x + 0))].sort((a, b) => a - b));

describe('binIndex', () => {
  it('is the number of edges below v, for short (linear) and long (binary search) edge lists (property)', () => {
    for (const maxLength of [32, 200]) {
      fc.assert(
        fc.property(sortedEdges(maxLength), fc.double({ min: -2e3, max: 2e3, noNaN: true }), (edges, v) => {
          expect(binIndex(edges, v)).toBe(edges.filter((e) => e < v).length);
          // A value equal to an edge belongs to the bin that edge closes: (edges[i-1], edges[i]].
          const i = Math.floor(edges.length / 2);
          expect(binIndex(edges, edges[i]!)).toBe(i);
        }),
        { numRuns: 200 },
      );
    }
  });
});

describe('NumericSketch', () => {
  it('counts each value into (edges[i-1], edges[i]], outside the range and as NaN/missing exactly', () => {
    const s = new NumericSketch([1, 2, 3], [0, 10]);
    for (const v of [0.5, 1, 1.5, 2, 3, 3.5, -1, 11, Number.NaN, null, undefined]) s.update(v);
    expect(s.binCounts).toEqual([3, 2, 1, 2]);
    expect([s.belowRange, s.aboveRange, s.nan, s.missing, s.count]).toEqual([1, 1, 1, 2, 8]);
  });
});
