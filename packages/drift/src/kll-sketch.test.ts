import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SketchFormatError } from './binary.js';
import { KllSketch } from './kll-sketch.js';

const seeded = (seed: number) => () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const sketchOf = (values: readonly number[], k = 200) => {
  const s = new KllSketch(k);
  values.forEach((v) => s.update(v));
  return s;
};
const exactCdf = (sorted: number[], x: number) => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
};

describe('KllSketch', () => {
  it('is exact until it first compacts', () => {
    const s = sketchOf([5, 1, 4, 2, 3]);
    expect(s.epsilon).toBe(0);
    expect(s.quantiles([0, 0.5, 1])).toEqual([1, 3, 5]);
    expect(s.cdf(2)).toBe(0.4);
  });

  it('keeps rank error within its bound on 200k values, in O(k) memory', () => {
    const rand = seeded(7);
    const values = Array.from({ length: 200_000 }, () => -Math.log(rand()) * 3 + (rand() < 0.3 ? 10 : 0));
    const s = sketchOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    let worst = 0;
    for (let q = 0.01; q < 1; q += 0.01) {
      const x = s.quantile(q);
      worst = Math.max(worst, Math.abs(exactCdf(sorted, x) - q));
    }
    expect(s.epsilon).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(s.epsilon);
    // ~3k items in the compactors, plus a level-0 buffer of at least 256 (bought for update speed).
    expect(s.retained).toBeLessThan(3 * 200 + 256 + 100);
    expect(s.n).toBe(200_000);
  });

  it('round-trips through its binary form, which starts with a version byte', () => {
    const s = sketchOf(Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 100));
    const bytes = s.serialize();
    expect(bytes[0]).toBe(1);
    const copy = KllSketch.deserialize(bytes);
    expect(copy.serialize()).toEqual(bytes);
    expect(copy.quantiles([0.1, 0.5, 0.9])).toEqual(s.quantiles([0.1, 0.5, 0.9]));
  });

  it('rejects truncated, inconsistent or future-version bytes with SketchFormatError', () => {
    const bytes = sketchOf([1, 2, 3, 4]).serialize();
    expect(() => KllSketch.deserialize(bytes.slice(0, bytes.length - 3))).toThrow(SketchFormatError);
    const future = bytes.slice();
    future[0] = 9;
    expect(() => KllSketch.deserialize(future)).toThrow(/format 9 is not supported/);
    const lying = bytes.slice();
    lying[3] = 99; // n no longer matches the items
    expect(() => KllSketch.deserialize(lying)).toThrow(SketchFormatError);
  });

  const streams = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 3000 });

  it('merge is commutative: a∪b and b∪a serialise to the same bytes (property)', () => {
    fc.assert(
      fc.property(streams, streams, (a, b) => {
        const ab = sketchOf(a, 32).merge(sketchOf(b, 32));
        const ba = sketchOf(b, 32).merge(sketchOf(a, 32));
        expect(ab.serialize()).toEqual(ba.serialize());
      }),
      { numRuns: 60 },
    );
  });

  it('merge is associative within the error bound, exactly for n/min/max (property)', () => {
    fc.assert(
      fc.property(streams, streams, streams, (a, b, c) => {
        const left = sketchOf(a, 32).merge(sketchOf(b, 32)).merge(sketchOf(c, 32));
        const right = sketchOf(a, 32).merge(sketchOf(b, 32).merge(sketchOf(c, 32)));
        expect([left.n, left.min, left.max]).toEqual([right.n, right.min, right.max]);
        const all = [...a, ...b, ...c].sort((x, y) => x - y);
        if (all.length === 0) return;
        // Each grouping answers within its own bound of the truth, so within 2ε of each other.
        for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) {
          const bound = Math.max(left.epsilon, right.epsilon) * 2 + 1 / all.length;
          expect(Math.abs(exactCdf(all, left.quantile(q)) - exactCdf(all, right.quantile(q)))).toBeLessThanOrEqual(bound + 1e-12);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('names a bad k', () => {
    expect(() => new KllSketch(3)).toThrow(/k must be an integer in \[8, 65535\]; received 3/);
  });
});

describe('KllSketch batch updates', () => {
  it('updateMany gives the same sketch as update() one value at a time, NaN skipped', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6 }), { maxLength: 5000 }), (values) => {
        const one = new KllSketch(32);
        values.forEach((v) => one.update(v));
        const batch = new KllSketch(32);
        batch.updateMany(Float64Array.from(values));
        expect(batch.serialize()).toEqual(one.serialize());
        expect(batch.n).toBe(values.filter((v) => !Number.isNaN(v)).length);
      }),
      { numRuns: 40 },
    );
  });

  it('a sketch merged with itself counts every item twice', () => {
    const s = sketchOf(Array.from({ length: 3000 }, (_, i) => i), 32);
    const median = s.quantile(0.5);
    s.merge(s);
    expect(s.n).toBe(6000);
    expect(Math.abs(s.quantile(0.5) - median)).toBeLessThanOrEqual(3000 * s.epsilon * 2);
  });
});
