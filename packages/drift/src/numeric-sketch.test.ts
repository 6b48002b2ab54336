import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericSketch, binIndex } from './numeric-sketch.js';

const sortedEdges = (minLength: number, maxLength: number) =>
  fc.uniqueArray(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength, maxLength }).map((e) => [...new Set(e.map((x) => x + 0))].sort((a, b) => a - b));

describe('binIndex', () => {
  it('is the number of edges below v, for short (linear) and long (binary search) edge lists (property)', () => {
    // Lengths on both sides of the switch to binary search (more than 32 edges): fast-check's
    // arrays are short unless asked, so the long case sets its minimum.
    for (const [minLength, maxLength] of [[1, 32], [33, 200]] as const) {
      fc.assert(
        fc.property(sortedEdges(minLength, maxLength), fc.double({ min: -2e3, max: 2e3, noNaN: true }), (edges, v) => {
          expect(binIndex(edges, v)).toBe(edges.filter((e) => e < v).length);
          // A value equal to an edge belongs to the bin that edge closes: (edges[i-1], edges[i]].
          const i = Math.floor(edges.length / 2);
          expect(binIndex(edges, edges[i]!)).toBe(i);
          expect(binIndex(edges, edges[0]! - 1)).toBe(0);
          expect(binIndex(edges, edges[edges.length - 1]! + 1)).toBe(edges.length);
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

describe('NumericSketch: contract edges', () => {
  it('values exactly at the range ends are inside it', () => {
    const s = new NumericSketch(undefined, [0, 10]);
    for (const v of [0, 10, -0.001, 10.001]) s.update(v);
    expect([s.belowRange, s.aboveRange]).toEqual([1, 1]);
  });

  it.each([
    [[1, 1], 'edges[1] = 1 after 1'],
    [[1, 3, 2], 'edges[2] = 2 after 3'],
    [[1, Number.NaN], 'edges[1] = NaN after 1'],
  ])('edges %j are a RangeError naming the first bad one', (edges, what) => {
    expect(() => new NumericSketch(edges)).toThrow(new RangeError(`NumericSketch: edges must increase strictly; ${what}.`));
  });

  it('merge adds every count, the sum and the bins; different edges are refused', () => {
    const make = (values: Array<number | null>) => {
      const s = new NumericSketch([0, 5], [-10, 10]);
      values.forEach((v) => s.update(v));
      return s;
    };
    const a = make([1, -20, 30, Number.NaN, null, 6]).merge(make([-11, -3, 2, 20, null]));
    expect([a.missing, a.nan, a.belowRange, a.aboveRange, a.sum, a.count]).toEqual([2, 1, 2, 2, 1 - 20 + 30 + 6 - 11 - 3 + 2 + 20, 8]);
    expect(a.binCounts).toEqual([3, 2, 3]);
    expect(() => make([]).merge(new NumericSketch([0, 6]))).toThrow(new RangeError('NumericSketch.merge: sketches were built on different bin edges.'));
    expect(() => make([]).merge(new NumericSketch([0]))).toThrow(RangeError);
    expect(() => make([]).merge(new NumericSketch())).toThrow(RangeError);
    expect(() => new NumericSketch().merge(make([]))).toThrow(RangeError);
    expect(new NumericSketch().merge(new NumericSketch()).count).toBe(0);
  });

  it('reading bytes of another format version is a SketchFormatError', async () => {
    const { ByteReader, ByteWriter, SketchFormatError } = await import('./binary.js');
    const w = new ByteWriter();
    new NumericSketch([1]).write(w);
    const bytes = w.finish();
    bytes[0] = 7;
    expect(() => NumericSketch.read(new ByteReader(bytes))).toThrow(SketchFormatError);
    expect(() => NumericSketch.read(new ByteReader(bytes))).toThrow('Numeric sketch format 7 is not supported (expected 1).');
  });
});
