import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';
import { CategoricalSketch } from './categorical-sketch.js';

const sketchOf = (items: readonly string[], capacity = 8) => {
  const s = new CategoricalSketch(capacity);
  items.forEach((i) => s.update(i));
  return s;
};
const bytesOf = (s: CategoricalSketch) => {
  const w = new ByteWriter();
  s.write(w);
  return w.finish();
};

describe('CategoricalSketch', () => {
  it('counts exactly under capacity, and counts missing apart', () => {
    const s = sketchOf(['rain', 'sun', 'rain', '', 'fog']);
    s.update(null);
    expect(Object.fromEntries(s.counts)).toEqual({ rain: 2, sun: 1, fog: 1 });
    expect([s.n, s.missing, s.errorBound]).toEqual([4, 2, 0]);
  });

  it('over capacity keeps every heavy hitter, under-counting by at most errorBound ≤ n/(capacity+1) (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 2000 }), (raw) => {
        const items = raw.map((v) => `c${v % 5 === 0 ? 0 : v}`);
        const s = sketchOf(items, 8);
        const truth = new Map<string, number>();
        items.forEach((i) => truth.set(i, (truth.get(i) ?? 0) + 1));
        expect(s.errorBound).toBeLessThanOrEqual(items.length / 9);
        for (const [key, count] of truth) {
          const est = s.counts.get(key) ?? 0;
          expect(est).toBeLessThanOrEqual(count);
          expect(count - est).toBeLessThanOrEqual(s.errorBound);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('merge is commutative and associative in its serialised form while under capacity (property)', () => {
    const stream = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 300 });
    fc.assert(
      fc.property(stream, stream, stream, (a, b, c) => {
        expect(bytesOf(sketchOf(a).merge(sketchOf(b)))).toEqual(bytesOf(sketchOf(b).merge(sketchOf(a))));
        const left = sketchOf(a).merge(sketchOf(b)).merge(sketchOf(c));
        const right = sketchOf(a).merge(sketchOf(b).merge(sketchOf(c)));
        expect(bytesOf(left)).toEqual(bytesOf(right));
      }),
      { numRuns: 80 },
    );
  });

  it('round-trips its binary form', () => {
    const s = sketchOf(['x', 'y', 'x', 'é ünïcode']);
    const copy = CategoricalSketch.read(new ByteReader(bytesOf(s)));
    expect(Object.fromEntries(copy.counts)).toEqual(Object.fromEntries(s.counts));
  });
});

describe('CategoricalSketch: contract edges', () => {
  it.each([1, 2.5, 0])('capacity %s is a RangeError', (capacity) => {
    expect(() => new CategoricalSketch(capacity)).toThrow(new RangeError(`CategoricalSketch: capacity must be an integer ≥ 2; received ${capacity}.`));
  });

  it('null, undefined and "" are missing (weighted), numbers count as their text', () => {
    const s = new CategoricalSketch(4);
    s.update(null, 2);
    s.update(undefined);
    s.update('');
    s.update(7);
    s.update('7', 3);
    expect([s.missing, s.n, s.count, Object.fromEntries(s.counts)]).toEqual([4, 4, 4, { '7': 4 }]);
  });

  it('over capacity, the (capacity + 1)-th largest count is subtracted from all, whatever order they arrived in', () => {
    const s = new CategoricalSketch(2);
    s.update('a', 1);
    s.update('b', 3);
    s.update('c', 5);
    expect(Object.fromEntries(s.counts)).toEqual({ b: 2, c: 4 });
    expect(s.errorBound).toBe(1);
  });

  it('its bytes do not depend on the order categories arrived in', () => {
    const ab = sketchOf(['a', 'b', 'b', 'c']);
    const ba = sketchOf(['c', 'b', 'a', 'b']);
    expect(bytesOf(ab)).toEqual(bytesOf(ba));
  });

  it('bytes of another version, or holding more categories than their capacity, are a SketchFormatError', () => {
    const bytes = bytesOf(sketchOf(['a', 'b', 'c']));
    const future = bytes.slice();
    future[0] = 2;
    expect(() => CategoricalSketch.read(new ByteReader(future))).toThrow('Categorical sketch format 2 is not supported (expected 1).');
    const over = new ByteWriter().u8(1).varint(2).varint(3).varint(0).varint(0).varint(3).string('a').varint(1).string('b').varint(1).string('c').varint(1).finish();
    expect(() => CategoricalSketch.read(new ByteReader(over))).toThrow('Categorical sketch holds 3 categories, over its capacity 2.');
    expect(() => CategoricalSketch.read(new ByteReader(over))).toThrow(SketchFormatError);
  });
});
