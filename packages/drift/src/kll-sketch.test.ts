import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter, SketchFormatError } from './binary.js';
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

  it('updateMany over many compactions gives the same sketch as update(), and counts what it keeps', () => {
    // fast-check's arrays above stay short (its default size): this one compacts hundreds of times.
    const rand = seeded(11);
    const values = Float64Array.from({ length: 100_000 }, () => rand() * 100);
    const one = sketchOf(Array.from(values), 32);
    const batch = new KllSketch(32);
    batch.updateMany(values);
    expect(batch.serialize()).toEqual(one.serialize());
    expect(batch.retained).toBe(one.retained);
    // retained is a running count: it must match the items actually kept (rebuilt from the levels on read).
    expect(KllSketch.deserialize(batch.serialize()).retained).toBe(batch.retained);
    expect(batch.retained).toBeLessThan(3 * 32 + 256 + 100);
  });

  it('merging two full sketches keeps memory bounded at once and counts what it keeps', () => {
    const rand = seeded(13);
    const a = sketchOf(Array.from({ length: 30_000 }, () => rand()), 32);
    const b = sketchOf(Array.from({ length: 30_000 }, () => rand()), 32);
    a.merge(b);
    expect(KllSketch.deserialize(a.serialize()).retained).toBe(a.retained);
    expect(a.retained).toBeLessThan(3 * 32 + 256 + 100);
  });

  it('a sketch merged with itself is the sketch merged with a copy of itself', () => {
    const values = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
    const self = sketchOf(values, 32);
    const twin = sketchOf(values, 32);
    self.merge(self);
    twin.merge(KllSketch.deserialize(twin.serialize()));
    expect(self.serialize()).toEqual(twin.serialize());
  });

  it('a sketch merged with itself counts every item twice', () => {
    const s = sketchOf(Array.from({ length: 3000 }, (_, i) => i), 32);
    const median = s.quantile(0.5);
    s.merge(s);
    expect(s.n).toBe(6000);
    expect(Math.abs(s.quantile(0.5) - median)).toBeLessThanOrEqual(3000 * s.epsilon * 2);
  });
});

describe('KllSketch: the edges of its contract', () => {
  it.each([7, 65536, 8.5, Number.NaN])('k %s is a RangeError', (k) => {
    expect(() => new KllSketch(k)).toThrow(RangeError);
  });
  it.each([8, 65535])('k %s is allowed', (k) => {
    expect(new KllSketch(k).k).toBe(k);
  });

  it('an empty sketch, or one fed only NaN, answers NaN for every quantile and the CDF', () => {
    const s = new KllSketch(32);
    s.update(Number.NaN);
    s.updateMany([Number.NaN, Number.NaN]);
    expect(s.n).toBe(0);
    expect(s.quantiles([0, 0.5, 1])).toEqual([NaN, NaN, NaN]);
    expect(s.quantile(0.5)).toBeNaN();
    expect(s.cdf(0)).toBeNaN();
  });

  it('the median of an even count is the lower middle value (the first rank reaching q)', () => {
    expect(sketchOf([4, 1, 3, 2]).quantiles([0.25, 0.5, 0.75])).toEqual([1, 2, 3]);
  });

  it('rank 0 and 1 (and beyond) are the exact min and max even after compaction dropped them', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => 1000 + ((i * 7919) % 50_000));
    values[0] = -5; // unique extremes, almost surely compacted away
    values[1] = 1e9;
    const s = sketchOf(values, 16);
    expect(s.epsilon).toBeGreaterThan(0);
    expect(s.quantiles([-1, 0, 1, 2])).toEqual([-5, -5, 1e9, 1e9]);
    expect(s.sortedWeighted().some(([v]) => v === -5)).toBe(false);
  });

  it('the CDF of a compacted sketch stays within ε of the exact one', () => {
    const rand = seeded(11);
    const values = Array.from({ length: 60_000 }, () => rand() * 100);
    const s = sketchOf(values, 64);
    const sorted = [...values].sort((a, b) => a - b);
    for (const x of [1, 10, 25, 50, 75, 90, 99]) expect(Math.abs(s.cdf(x) - exactCdf(sorted, x))).toBeLessThanOrEqual(s.epsilon);
  });

  it('updateMany(values, start, end) takes only values[start, end)', () => {
    const s = new KllSketch(32);
    s.updateMany([100, 1, 2, 3, 100], 1, 4);
    expect([s.n, s.min, s.max]).toEqual([3, 1, 3]);
  });

  it('merging sketches of different k is a RangeError naming both', () => {
    expect(() => new KllSketch(32).merge(new KllSketch(64))).toThrow(new RangeError('KllSketch.merge: k differs (32 vs 64).'));
  });

  it('merge keeps the overall min and max, whichever side holds them', () => {
    const a = sketchOf([5, 6, 7, 8], 32).merge(sketchOf([1, 2, 20], 32));
    expect([a.n, a.quantile(0), a.quantile(1)]).toEqual([7, 1, 20]);
    const b = sketchOf([1, 2, 20], 32).merge(sketchOf([5, 6, 7, 8], 32));
    expect([b.min, b.max]).toEqual([1, 20]);
  });

  it('a small sketch merged into a deep one, and a deep one into a small one, both stay within ε and in bounded memory', () => {
    const rand = seeded(3);
    const deep = Array.from({ length: 40_000 }, () => rand() * 10);
    const small = Array.from({ length: 50 }, () => 10 + rand());
    const sorted = [...deep, ...small].sort((x, y) => x - y);
    for (const merged of [sketchOf(deep, 32).merge(sketchOf(small, 32)), sketchOf(small, 32).merge(sketchOf(deep, 32))]) {
      expect(merged.n).toBe(40_050);
      for (const q of [0.1, 0.5, 0.9, 0.999]) expect(Math.abs(exactCdf(sorted, merged.quantile(q)) - q)).toBeLessThanOrEqual(merged.epsilon + 1e-9);
      // Still compacts after the merge: memory does not grow with what comes next.
      merged.updateMany(Array.from({ length: 40_000 }, () => rand() * 10));
      expect(merged.retained).toBeLessThan(3 * 32 + 256 + 100);
    }
  });

  it('a deserialized sketch keeps compacting as it is fed (its size is rebuilt from the levels)', () => {
    const rand = seeded(5);
    const copy = KllSketch.deserialize(sketchOf(Array.from({ length: 20_000 }, () => rand()), 32).serialize());
    for (let i = 0; i < 40_000; i++) copy.update(rand());
    expect(copy.n).toBe(60_000);
    expect(copy.retained).toBeLessThan(3 * 32 + 256 + 100);
    expect(Math.abs(copy.quantile(0.5) - 0.5)).toBeLessThan(copy.epsilon + 0.01);
  });

  it('64 levels, the most the format allows, are read', () => {
    const w = new ByteWriter().u8(1).varint(32).varint(0).f64(0).f64(0).varint(64);
    for (let h = 0; h < 64; h++) w.varint(0);
    expect(KllSketch.deserialize(w.finish()).n).toBe(0);
  });

  it.each([0, 65])('bytes claiming %s levels are a SketchFormatError', (levels) => {
    const bytes = new ByteWriter().u8(1).varint(32).varint(0).f64(0).f64(0).varint(levels).finish();
    expect(() => KllSketch.deserialize(bytes)).toThrow(SketchFormatError);
    expect(() => KllSketch.deserialize(bytes)).toThrow(`KLL sketch has ${levels} levels (expected 1..64).`);
  });

  it('bytes whose items do not weigh n name both figures', () => {
    const bytes = new ByteWriter().u8(1).varint(32).varint(5).f64(1).f64(2).varint(1).varint(2).f64(1).f64(2).finish();
    expect(() => KllSketch.deserialize(bytes)).toThrow('KLL sketch is inconsistent: items weigh 2 but n is 5.');
  });

  it('unsorted items in the bytes are sorted on read (a level above 0 must be sorted to merge)', () => {
    const bytes = new ByteWriter().u8(1).varint(8).varint(6).f64(1).f64(9).varint(2).varint(0).varint(3).f64(9).f64(1).f64(5).finish();
    const s = KllSketch.deserialize(bytes);
    expect(s.sortedWeighted()).toEqual([[1, 2], [5, 2], [9, 2]]);
    s.merge(KllSketch.deserialize(bytes));
    expect(s.sortedWeighted().map(([v]) => v)).toEqual([...s.sortedWeighted().map(([v]) => v)].sort((a, b) => a - b));
    expect(s.quantiles([0.2, 0.5, 0.9])).toEqual([1, 5, 9]);
  });
});
