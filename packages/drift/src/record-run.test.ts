import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { FeatureReader, extractFeatures, type FeatureSpec } from './feature-extraction.js';
import { PendingPredictions, predictionsOf, topClassOf } from './label-tracker.js';
import { ModelMonitor } from './model-monitor.js';

/**
 * The deferred batch records each run with recordRun() (a FeatureReader per input, values straight
 * into the sketches); inspect() + record() build Maps and arrays for the same work. Both must give
 * byte-identical snapshots for any inputs, including what only the slow path used to handle:
 * element indices past the item (missing), NaN, float32 values snapped to baseline points, batches.
 */
const features: FeatureSpec[] = [
  { name: 'first', input: 'x', reduce: 'value' },
  { name: 'past-end', input: 'x', reduce: 'value', index: 99 },
  { name: 'mean', input: 'x', reduce: 'mean' },
  { name: 'std', input: 'x', reduce: 'std' },
  { name: 'max', input: 'x', reduce: 'max' },
  { name: 'cx', input: 'x', reduce: 'centroid-x', width: 3 },
  { name: 'cy', input: 'x', reduce: 'centroid-y', width: 2 },
  { name: 'other', input: 'y', reduce: 'nonzero-fraction' },
];
// Points that are not float32 values, so float32 inputs equal to their images are snapped.
const baseline = buildBaseline({
  first: Array.from({ length: 200 }, (_, i) => i / 10 + 0.1),
  'past-end': [0, 1],
  mean: [0, 1],
  std: [0, 1],
  max: Array.from({ length: 50 }, (_, i) => i / 10 + 0.1),
  cx: [0, 1],
  cy: [0, 1],
  other: [0, 1],
});

const run = fc.record({
  items: fc.integer({ min: 1, max: 3 }),
  x: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -30, max: 200 }).map((i) => i / 10 + 0.1), fc.constant(NaN)), { minLength: 18, maxLength: 18 }),
  withY: fc.boolean(),
  scores: fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
  latency: fc.double({ min: 0, max: 50, noNaN: true }),
});

describe('recordRun: the batch path records exactly what inspect() + record() do', () => {
  it('byte-identical snapshots over random runs (batches, missing inputs, NaN, float32 snaps)', () => {
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 40 }), (runs) => {
        const fast = new ModelMonitor({ baseline, features });
        const slow = new ModelMonitor({ baseline, features });
        for (const r of runs) {
          const perItem = 18 / r.items;
          const inputs: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: Float32Array.from(r.x), dims: [r.items, perItem] } };
          if (r.withY) inputs.y = { data: Float32Array.from(r.x.slice(0, 6)), dims: [6] };
          const scores = { data: Float32Array.from(r.scores.slice(0, 4 * r.items)), dims: [r.items, 4] };
          fast.recordRun(inputs, scores, r.latency, 'wasm');
          slow.record(slow.inspect(inputs), { scores }, r.latency, 'wasm');
        }
        expect(fast.snapshot()).toEqual(slow.snapshot());
      }),
      { numRuns: 200 },
    );
  });

  it('an element index past the item counts as missing, not NaN', () => {
    const monitor = new ModelMonitor({ baseline, features });
    monitor.recordRun({ x: { data: new Float32Array(18), dims: [1, 18] } }, { data: Float32Array.of(0.1, 0.9), dims: [1, 2] }, 1, 'wasm');
    const sketch = monitor.features.get('past-end') as { missing: number; nan: number };
    expect([sketch.missing, sketch.nan]).toEqual([1, 0]);
  });

  it('a float32 value equal to a baseline edge\'s image is binned as the edge', () => {
    const edge = baseline.features.first!.kind === 'numeric' ? baseline.features.first!.edges[3]! : NaN;
    expect(Math.fround(edge)).not.toBe(edge);
    const monitor = new ModelMonitor({ baseline, features });
    monitor.recordRun({ x: { data: Float32Array.of(edge, ...new Array(17).fill(0)), dims: [1, 18] } }, { data: Float32Array.of(1, 0), dims: [1, 2] }, 1, 'wasm');
    const counts = (monitor.features.get('first') as { binCounts: number[] }).binCounts;
    expect(counts.indexOf(1)).toBe(3); // (edges[2], edges[3]]: the edge's own bin, not the next
  });

  it('a reset gives recordRun the fresh sketches', () => {
    const monitor = new ModelMonitor({ baseline, features });
    const inputs = { x: { data: new Float32Array(18).fill(1), dims: [1, 18] } };
    monitor.recordRun(inputs, { data: Float32Array.of(1, 0), dims: [1, 2] }, 1, 'wasm');
    monitor.reset();
    monitor.recordRun(inputs, { data: Float32Array.of(1, 0), dims: [1, 2] }, 1, 'wasm');
    expect(monitor.features.get('mean')!.count).toBe(1);
    expect(monitor.counters.runs).toBe(1);
  });
});

describe('FeatureReader', () => {
  it('reused across batch sizes, it gives what extractFeatures gives each time', () => {
    const reader = new FeatureReader(features.filter((f) => f.input === 'x'));
    for (const items of [3, 1, 2, 3, 1]) {
      const data = Float32Array.from({ length: 18 }, (_, i) => ((i * 7 + items) % 11) - 3);
      const tensor = { data, dims: [items, 18 / items] };
      expect(reader.read(tensor)).toBe(items);
      const expected = extractFeatures(tensor, reader.specs);
      reader.specs.forEach((_, s) => expect(reader.values.slice(s * items, (s + 1) * items)).toEqual(expected[s]));
    }
  });

  it('refuses a spec it cannot read, naming it (as the monitor does)', () => {
    expect(() => new FeatureReader([{ name: 'm', input: 'x', reduce: 'median' as never }])).toThrow(
      new RangeError('monitor.features["m"].reduce is "median"; allowed: value, mean, std, min, max, nonzero-fraction, centroid-x, centroid-y.'),
    );
  });

  it('reads bigint (int64) inputs as numbers', () => {
    const reader = new FeatureReader([{ name: 'm', input: 'x', reduce: 'mean' }, { name: 'v', input: 'x', index: 2 }]);
    reader.read({ data: BigInt64Array.of(1n, 2n, 6n), dims: [3] });
    expect(reader.values.slice(0, 2)).toEqual([3, 6]);
  });
});

describe('topClassOf and fillFrom', () => {
  it('topClassOf: the first of equal maxima; NaN never wins', () => {
    expect(topClassOf(Float32Array.of(0.1, 0.7, 0.7, 0.2), 0, 4)).toBe(1);
    expect(topClassOf([NaN, 0.3, 0.5], 0, 3)).toBe(0); // nothing beats a leading NaN, as before
    expect(topClassOf([0.3, NaN, 0.5], 0, 3)).toBe(2);
    expect(topClassOf([9, 9, 0.1, 0.4, 0.2], 2, 3)).toBe(1);
  });

  it('fillFrom(scores) leaves the same predictions as fill(predictionsOf(scores))', () => {
    const cases = [
      { data: Float32Array.of(0.2, 0.5, 0.3), dims: [1, 3] },
      { data: Float32Array.of(0.2, 0.5, 0.3, 0.9, 0.05, 0.05), dims: [2, 3] },
      { data: Float32Array.of(0.4), dims: [1, 1] },
      { data: Float32Array.of(0.1, 0.9), dims: [2] },
    ];
    for (const scores of cases) {
      const [a, b] = [new PendingPredictions(), new PendingPredictions()];
      const [sa, sb] = [a.mint(0), b.mint(0)];
      a.fillFrom(sa, scores);
      b.fill(sb, predictionsOf(scores));
      expect(a.take(a.idOf(sa), 1)).toEqual(b.take(b.idOf(sb), 1));
    }
  });

  it('fillFrom for a minted id a later mint has replaced changes nothing', () => {
    const pending = new PendingPredictions(3_600_000, 1);
    const first = pending.mint(0);
    const second = pending.mint(0);
    pending.fillFrom(first, { data: Float32Array.of(0.9, 0.1), dims: [1, 2] });
    expect(pending.unfilled(pending.idOf(second))).toBe(true);
  });
});
