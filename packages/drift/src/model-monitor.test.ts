import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { SketchFormatError } from './binary.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { mergeSnapshots, ModelMonitor, readSnapshot } from './model-monitor.js';
import { NumericSketch } from './numeric-sketch.js';

/** ModelMonitor alone (no windows): input checks, what a run adds, and its snapshot format. */
const values = [1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8, 9.9, 11];
const baseline = buildBaseline({ x: values, m: values, sky: ['sun', 'rain', 'sun'] }, { bins: 10 });
const xEdges = (baseline.features.x as { edges: number[] }).edges;
const one = (v: number, Array: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array) => ({ data: Array.of(v), dims: [1, 1] });
const scores = (...rows: number[][]) => ({ out: { data: Float32Array.from(rows.flat()), dims: [rows.length, rows[0]!.length] } });
const sketchOf = (m: ModelMonitor, name: string) => m.features.get(name) as NumericSketch;

describe('ModelMonitor.inspect', () => {
  const monitor = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }], rangeTolerance: 0.1 });
  const slack = (11 - 1.1) * 0.1;

  it('a value inside the baseline range widened by rangeTolerance is not suspicious, at either end exactly', () => {
    for (const v of [1.1 - slack, 11 + slack, 5]) expect(monitor.inspect({ a: one(v, Float64Array) }).suspicious).toBeUndefined();
  });

  it('beyond it, or not finite, is suspicious, naming the feature, the value and what was allowed', () => {
    expect(monitor.inspect({ a: one(11 + slack + 1e-9, Float64Array) }).suspicious).toEqual({ feature: 'x', value: 11 + slack + 1e-9, allowed: [1.1 - slack, 11 + slack] });
    expect(monitor.inspect({ a: one(1.1 - slack - 1e-9, Float64Array) }).suspicious).toMatchObject({ feature: 'x' });
    expect(monitor.inspect({ a: one(Number.NaN) }).suspicious).toEqual({ feature: 'x', value: NaN, allowed: 'finite' });
    expect(monitor.inspect({ a: one(Number.POSITIVE_INFINITY) }).suspicious).toMatchObject({ allowed: 'finite' });
  });

  it('the first suspicious value is the one reported, across batch rows and features', () => {
    const two = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }, { name: 'm', input: 'a', reduce: 'mean' }] });
    const batch = { data: Float64Array.of(5, 100, -100), dims: [3, 1] };
    expect(two.inspect({ a: batch }).suspicious).toMatchObject({ feature: 'x', value: 100 });
    expect(two.inspect({ a: batch }).values.get('m')).toEqual([5, 100, -100]);
  });

  it('an input the call does not carry is skipped, not an error', () => {
    expect(monitor.inspect({ other: one(5) }).values.size).toBe(0);
  });

  it('float32 inputs equal to the float32 image of a baseline edge are binned as that edge, for value/min/max features only', () => {
    const at = xEdges.findIndex((e) => Math.fround(e) > e);
    const edge = xEdges[at]!;
    const m = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }, { name: 'm', input: 'a', reduce: 'mean' }] });
    const inspection = m.inspect({ a: one(Math.fround(edge)) });
    expect(inspection.values.get('x')).toEqual([edge]);
    // A mean is computed, not read: it is not the image of anything, so it stays as computed.
    expect(inspection.values.get('m')).toEqual([Math.fround(edge)]);
    // float64 inputs are exact already.
    expect(m.inspect({ a: one(Math.fround(edge), Float64Array) }).values.get('x')).toEqual([Math.fround(edge)]);
    for (const reduce of ['min', 'max'] as const) {
      const mm = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a', reduce }] });
      expect(mm.inspect({ a: one(Math.fround(edge)) }).values.get('x')).toEqual([edge]);
    }
  });

  it("onSuspicious other than 'count' or 'reject' is a RangeError", () => {
    expect(() => new ModelMonitor({ onSuspicious: 'drop' as never })).toThrow(new RangeError(`monitor.onSuspicious must be 'count' or 'reject'; received "drop".`));
    expect(new ModelMonitor({ onSuspicious: 'reject' }).rejects).toBe(true);
    expect(new ModelMonitor({ onSuspicious: 'count' }).rejects).toBe(false);
  });
});

describe('ModelMonitor.record', () => {
  it('counts the run, its latency and backend, its features, and per row the top class and its score', () => {
    const m = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }] });
    m.record(m.inspect({ a: { data: Float64Array.of(2, 9), dims: [2, 1] } }), scores([0.1, 0.7, 0.2], [0.5, 0.2, 0.3]), 3, 'webgpu');
    expect(m.counters).toEqual({ runs: 1, errors: 0, rejected: 0, fallbacks: 0 });
    expect(Object.fromEntries(m.topClass.counts)).toEqual({ '1': 1, '0': 1 });
    expect(m.confidence.kll.sortedWeighted().map(([v]) => v)).toEqual([Math.fround(0.5), Math.fround(0.7)]);
    expect(Object.fromEntries(m.backends.counts)).toEqual({ webgpu: 1 });
    expect(sketchOf(m, 'x').count).toBe(2);
    expect(m.latency.count).toBe(1);
  });

  it('a rank-1 output is one row of classes; a single score per row (regression) has no class', () => {
    const m = new ModelMonitor();
    m.record({ values: new Map() }, { out: { data: Float32Array.of(0.1, 0.9), dims: [2] } }, 1, 'wasm');
    expect(Object.fromEntries(m.topClass.counts)).toEqual({ '1': 1 });
    m.record({ values: new Map() }, { out: { data: Float32Array.of(3.5, 2), dims: [2, 1] } }, 1, 'wasm');
    expect(m.topClass.n).toBe(1);
    expect(m.confidence.count).toBe(1);
    m.record({ values: new Map() }, { out: { data: Float32Array.of(7), dims: [] } }, 1, 'wasm');
    expect(m.topClass.n).toBe(1);
  });

  it('ties go to the first class', () => {
    const m = new ModelMonitor();
    m.record({ values: new Map() }, scores([0.4, 0.4, 0.2]), 1, 'wasm');
    expect(Object.fromEntries(m.topClass.counts)).toEqual({ '0': 1 });
  });

  it('the KLL accuracy parameter k reaches every sketch', () => {
    const m = new ModelMonitor({ k: 64, features: [{ name: 'x', input: 'a' }] });
    expect([sketchOf(m, 'x').kll.k, m.latency.kll.k, m.confidence.kll.k]).toEqual([64, 64, 64]);
  });
});

describe('ModelMonitor snapshots', () => {
  const fed = () => {
    const m = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }, { name: 'sky', input: 's' }] });
    m.record(m.inspect({ a: one(3, Float64Array) }), scores([0.2, 0.8]), 2, 'wasm');
    m.count('errors');
    return m;
  };

  it('restore adds a snapshot to what is there', () => {
    const m = fed();
    m.restore(fed().snapshot());
    expect(m.counters).toEqual({ runs: 2, errors: 2, rejected: 0, fallbacks: 0 });
    expect(sketchOf(m, 'x').count).toBe(2);
    expect(Object.fromEntries(m.topClass.counts)).toEqual({ '1': 2 });
  });

  it('a feature only the snapshot has is adopted; one of the other kind is a TypeError', () => {
    const a = readSnapshot(new ModelMonitor().snapshot());
    const b = readSnapshot(fed().snapshot());
    mergeSnapshots(a, b);
    expect([...a.features.keys()].sort()).toEqual(['sky', 'x']);
    const c = readSnapshot(fed().snapshot());
    c.features.set('x', new CategoricalSketch());
    expect(() => mergeSnapshots(readSnapshot(fed().snapshot()), c)).toThrow(new TypeError('mergeSnapshots: feature "x" is numeric in one snapshot and categorical in the other.'));
  });

  it('bytes of another version, or with trailing bytes, are a SketchFormatError', () => {
    const bytes = fed().snapshot();
    const future = bytes.slice();
    future[0] = 0x42;
    expect(() => readSnapshot(future)).toThrow(SketchFormatError);
    expect(() => readSnapshot(future)).toThrow(/Monitor snapshot format 66 is not supported/);
    const longer = Uint8Array.from([...bytes, 0]);
    expect(() => readSnapshot(longer)).toThrow(new SketchFormatError('Monitor snapshot has trailing bytes.'));
  });

  it('aggregates list numeric features without baseline bins as skipped', () => {
    const m = new ModelMonitor({ baseline, features: [{ name: 'x', input: 'a' }, { name: 'free', input: 'a', reduce: 'mean' }] });
    m.record(m.inspect({ a: one(3, Float64Array) }), scores([0.2, 0.8]), 2, 'wasm');
    const { body, skipped } = m.aggregates();
    expect(skipped).toEqual(['free']);
    expect(Object.keys(body.features)).toEqual(['x']);
    expect((body.features.x as { counts: number[] }).counts.reduce((a, b) => a + b, 0)).toBe(1);
  });
});
