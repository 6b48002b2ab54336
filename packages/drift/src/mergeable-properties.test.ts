import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './binary.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { mergeSnapshots, ModelMonitor, readSnapshot } from './model-monitor.js';
import { NumericSketch } from './numeric-sketch.js';

/**
 * Devices and the collector merge these structures in whatever order reports arrive, grouped
 * however batches fall: the exact counts must not depend on either, and serializing then reading
 * must give the same structure back. (KLL's own merge properties: kll-sketch.test.ts.)
 */
const EDGES = [-10, 0, 5, 50];
const RANGE: [number, number] = [-20, 100];
const numericValue = fc.oneof(fc.double({ min: -40, max: 140, noNaN: true }), fc.constant(Number.NaN), fc.constant(null));
const parts = <T>(item: fc.Arbitrary<T>) => fc.array(fc.array(item, { maxLength: 60 }), { minLength: 1, maxLength: 6 });

/** Any order (a permutation) and any grouping (a random binary tree of merges) of the parts. */
const plan = (n: number) => fc.record({ order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), splits: fc.array(fc.nat(), { minLength: n, maxLength: n }) });

function mergeTree<T>(items: T[], splits: number[], merge: (a: T, b: T) => T, depth = 0): T {
  if (items.length === 1) return items[0]!;
  const at = 1 + (splits[depth % splits.length]! % (items.length - 1));
  return merge(mergeTree(items.slice(0, at), splits, merge, depth + 1), mergeTree(items.slice(at), splits, merge, depth + 1));
}

const numeric = (values: Array<number | null>) => {
  const s = new NumericSketch(EDGES, RANGE);
  for (const v of values) s.update(v);
  return s;
};
const exactNumeric = (s: NumericSketch) => ({ bins: s.binCounts, missing: s.missing, nan: s.nan, below: s.belowRange, above: s.aboveRange, n: s.kll.n, count: s.count });
const roundTrip = <T extends { write(w: ByteWriter): void }>(s: T, read: (r: ByteReader) => T) => read(new ByteReader(serialize(s)));
const serialize = (s: { write(w: ByteWriter): void }) => {
  const w = new ByteWriter();
  s.write(w);
  return w.finish();
};

describe('NumericSketch: mergeable', () => {
  it('bin counts, missing, NaN and out-of-range counts are exact and independent of merge order and grouping', () => {
    fc.assert(
      fc.property(parts(numericValue).chain((ps) => fc.tuple(fc.constant(ps), plan(ps.length))), ([ps, { order, splits }]) => {
        const whole = numeric(ps.flat());
        const merged = mergeTree(order.map((i) => numeric(ps[i]!)), splits, (a, b) => a.merge(b));
        expect(exactNumeric(merged)).toEqual(exactNumeric(whole));
        // Counts never lost: every value lands in exactly one place.
        const n = ps.flat().length;
        expect(merged.binCounts!.reduce((a, b) => a + b, 0) + merged.missing + merged.nan).toBe(n);
      }),
      { numRuns: 150 },
    );
  });

  it('write then read is the identity (same fields, same bytes)', () => {
    fc.assert(
      fc.property(fc.array(numericValue, { maxLength: 2000 }), (values) => {
        const s = numeric(values);
        const back = roundTrip(s, NumericSketch.read);
        expect(exactNumeric(back)).toEqual(exactNumeric(s));
        expect(back.sum).toBe(s.sum);
        expect(back.kll.quantiles([0.1, 0.5, 0.9])).toEqual(s.kll.quantiles([0.1, 0.5, 0.9]));
        expect(serialize(back)).toEqual(serialize(s));
      }),
      { numRuns: 100 },
    );
  });
});

describe('CategoricalSketch: mergeable', () => {
  const category = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'), fc.string({ maxLength: 3 }), fc.constant(null));
  const categorical = (values: Array<string | null>, capacity: number) => {
    const s = new CategoricalSketch(capacity);
    for (const v of values) s.update(v);
    return s;
  };
  const truth = (values: Array<string | null>) => {
    const t = new Map<string, number>();
    for (const v of values) if (v !== null && v !== '') t.set(v, (t.get(v) ?? 0) + 1);
    return t;
  };

  it('within capacity: counts are exact in any order and grouping', () => {
    fc.assert(
      fc.property(parts(fc.constantFrom('a', 'b', 'c', 'd', null, '')).chain((ps) => fc.tuple(fc.constant(ps), plan(ps.length))), ([ps, { order, splits }]) => {
        const merged = mergeTree(order.map((i) => categorical(ps[i]!, 8)), splits, (a, b) => a.merge(b));
        expect(Object.fromEntries(merged.counts)).toEqual(Object.fromEntries(truth(ps.flat())));
        expect(merged.missing).toBe(ps.flat().filter((v) => v === null || v === '').length);
        expect(merged.errorBound).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('over capacity: n and missing exact; every count under-estimated by at most errorBound, in any order', () => {
    fc.assert(
      fc.property(parts(category).chain((ps) => fc.tuple(fc.constant(ps), plan(ps.length))), ([ps, { order, splits }]) => {
        const merged = mergeTree(order.map((i) => categorical(ps[i]!, 4)), splits, (a, b) => a.merge(b));
        const all = ps.flat();
        const counts = truth(all);
        expect(merged.n).toBe([...counts.values()].reduce((a, b) => a + b, 0));
        expect(merged.missing).toBe(all.length - merged.n);
        expect(merged.counts.size).toBeLessThanOrEqual(4);
        for (const [key, real] of counts) {
          const est = merged.counts.get(key) ?? 0;
          expect(est).toBeLessThanOrEqual(real);
          expect(est).toBeGreaterThanOrEqual(real - merged.errorBound);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('write then read is the identity', () => {
    fc.assert(
      fc.property(fc.array(category, { maxLength: 500 }), fc.integer({ min: 2, max: 16 }), (values, capacity) => {
        const s = categorical(values, capacity);
        const back = roundTrip(s, CategoricalSketch.read);
        expect({ ...back, counts: Object.fromEntries(back.counts) }).toEqual({ ...s, counts: Object.fromEntries(s.counts) });
        expect(serialize(back)).toEqual(serialize(s));
      }),
      { numRuns: 100 },
    );
  });
});

describe('monitor snapshots: mergeable', () => {
  const run = fc.record({ x: fc.double({ min: -5, max: 5, noNaN: true }), latency: fc.double({ min: 0, max: 500, noNaN: true }), backend: fc.constantFrom('wasm', 'webgpu'), p: fc.double({ min: 0, max: 1, noNaN: true }) });
  const monitorOf = (runs: Array<{ x: number; latency: number; backend: string; p: number }>) => {
    const m = new ModelMonitor({ features: [{ name: 'x', input: 'input', index: 0 }] });
    for (const r of runs) {
      m.record({ values: new Map([['x', [r.x]]]) }, { out: { data: Float32Array.of(r.p, 1 - r.p), dims: [1, 2] } }, r.latency, r.backend);
    }
    return m;
  };
  const exact = (s: ReturnType<typeof readSnapshot>) => ({
    counters: s.counters,
    latency: exactNumeric(s.latency),
    confidence: exactNumeric(s.confidence),
    classes: Object.fromEntries([...s.topClass.counts].sort()),
    backends: Object.fromEntries([...s.backends.counts].sort()),
    x: s.features.get('x')!.count,
  });

  it('merging snapshots in any order and grouping gives the counts of one monitor that saw every run', () => {
    fc.assert(
      fc.property(parts(run).chain((ps) => fc.tuple(fc.constant(ps), plan(ps.length))), ([ps, { order, splits }]) => {
        const whole = readSnapshot(monitorOf(ps.flat()).snapshot());
        const merged = mergeTree(order.map((i) => readSnapshot(monitorOf(ps[i]!).snapshot())), splits, mergeSnapshots);
        expect(exact(merged)).toEqual(exact(whole));
        expect(merged.counters.runs).toBe(ps.flat().length);
      }),
      { numRuns: 60 },
    );
  });

  it('snapshot → read → restore into an empty monitor → snapshot gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(run, { maxLength: 200 }), (runs) => {
        const bytes = monitorOf(runs).snapshot();
        const fresh = monitorOf([]);
        fresh.restore(bytes);
        expect(exact(readSnapshot(fresh.snapshot()))).toEqual(exact(readSnapshot(bytes)));
      }),
      { numRuns: 60 },
    );
  });
});
