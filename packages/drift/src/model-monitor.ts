import type { Aggregates, Counters, Inspection, ModelObserver, MonitorOptions, MonitorReport } from '@edgewise/core';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type BinnedCounts, type Report } from '@edgewise/wire';
import type { Baseline } from './baseline.js';
import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { compareToBaseline, sketchForBaseline, type DriftOptions, type DriftReport } from './drift-report.js';
import { FeatureReader, checkFeatureSpec, type FeatureSpec, type TensorLike } from './feature-extraction.js';
import { float32SnapTable, snapFloat32 } from './float32-snap.js';
import { DEFAULT_K } from './kll-sketch.js';
import { NumericSketch } from './numeric-sketch.js';
import { topClassOf } from './label-tracker.js';

const SNAPSHOT_VERSION = 1;
/**
 * First byte of a WindowedMonitor's snapshot, which nests two ModelMonitor snapshots: everything
 * before the open window, then the open window (the cumulative view is both merged).
 */
export const WINDOWED_SNAPSHOT_VERSION = 0x58;
/** The earlier windowed format, still read: its first nested snapshot is the cumulative view itself. */
export const LEGACY_WINDOWED_SNAPSHOT_VERSION = 0x57;

export type { Counters, Inspection, MonitorOptions, MonitorReport } from '@edgewise/core';

/**
 * Sketches a model's inputs, outputs, confidence and latency on the device (one set of sketches:
 * WindowedMonitor keeps one cumulative and one per window). Only these aggregates
 * ever leave it (see snapshot()).
 *
 * @example
 * const monitor = new ModelMonitor({ baseline, features: [{ name: 'temp', input: 'x', index: 1 }] });
 */
export class ModelMonitor implements Omit<ModelObserver, 'takeWindows' | 'feedback'> {
  readonly features = new Map<string, NumericSketch | CategoricalSketch>();
  latency = new NumericSketch(LATENCY_EDGES_MS);
  confidence = new NumericSketch(CONFIDENCE_EDGES, [0, 1]);
  topClass = new CategoricalSketch(64);
  backends = new CategoricalSketch(8);
  counters: Counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  private readonly specs: FeatureSpec[];
  /** Per input features are read from: its specs' reader, and where each value goes. */
  private readonly plans: InputPlan[] = [];
  /** The inputs features are read from: what a deferred run must keep a copy of. */
  readonly featureInputs: readonly string[];
  /** Baseline range widened by rangeTolerance, per numeric feature: computed once, checked per run. */
  private readonly allowedRanges = new Map<string, [number, number]>();
  /** Per feature read element-wise (value, min, max): float32 images of baseline points (see float32-snap.ts). */
  private readonly float32Snaps = new Map<string, Map<number, number>>();

  constructor(readonly options: MonitorOptions = {}) {
    this.specs = options.features ?? [];
    this.specs.forEach(checkFeatureSpec);
    const byInput = new Map<string, FeatureSpec[]>();
    for (const spec of this.specs) byInput.set(spec.input, [...(byInput.get(spec.input) ?? []), spec]);
    this.featureInputs = [...byInput.keys()];
    const tolerance = options.rangeTolerance ?? 0.1;
    for (const spec of this.specs) {
      const base = options.baseline?.features[spec.name];
      if (base?.kind !== 'numeric') continue;
      const snap = spec.reduce === undefined || spec.reduce === 'value' || spec.reduce === 'min' || spec.reduce === 'max' ? float32SnapTable(base) : undefined;
      if (snap) this.float32Snaps.set(spec.name, snap);
      const slack = (base.max - base.min) * tolerance;
      this.allowedRanges.set(spec.name, [base.min - slack, base.max + slack]);
    }
    for (const [input, specs] of byInput) {
      this.plans.push({ input, specs, reader: new FeatureReader(specs), snaps: specs.map((spec) => this.float32Snaps.get(spec.name)), sketches: [] });
    }
    if (options.onSuspicious !== undefined && options.onSuspicious !== 'count' && options.onSuspicious !== 'reject') {
      throw new RangeError(`monitor.onSuspicious must be 'count' or 'reject'; received ${JSON.stringify(options.onSuspicious)}.`);
    }
    this.reset();
  }

  get rejects(): boolean {
    return this.options.onSuspicious === 'reject';
  }

  /** Clears all sketches and counters (after an upload, say). */
  reset(): void {
    const k = this.options.k ?? DEFAULT_K;
    this.features.clear();
    for (const spec of this.specs) {
      const base = this.options.baseline?.features[spec.name];
      this.features.set(spec.name, base ? sketchForBaseline(base, k) : new NumericSketch(undefined, undefined, k));
    }
    // Merges (restore) fold into these same sketches, so the plans' references stay valid until the next reset.
    for (const plan of this.plans) plan.sketches = plan.specs.map((spec) => this.features.get(spec.name)!);
    // Fixed edges (from @edgewise/wire) so uploads can carry exact counts instead of values.
    this.latency = new NumericSketch(LATENCY_EDGES_MS, undefined, k);
    this.confidence = new NumericSketch(CONFIDENCE_EDGES, [0, 1], k);
    this.topClass = new CategoricalSketch(64);
    this.backends = new CategoricalSketch(8);
    this.counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  }

  /**
   * Adds a snapshot's aggregates (from `snapshot()`, of a monitor with the same features) to this
   * one: how a model's monitor survives being moved to a fresh worker.
   */
  restore(bytes: Uint8Array): void {
    mergeSnapshots(this, readSnapshot(bytes));
  }

  /** Reads feature values from inputs and checks them against the baseline range. Records nothing. */
  inspect(inputs: Record<string, TensorLike>): Inspection {
    const values = new Map<string, number[]>();
    let suspicious: Inspection['suspicious'];
    for (const { input, specs, reader, snaps } of this.plans) {
      const tensor = inputs[input];
      if (!tensor) continue;
      const items = reader.read(tensor);
      const float32 = tensor.data instanceof Float32Array;
      for (let s = 0; s < specs.length; s++) {
        const name = specs[s]!.name;
        const vs = reader.values.slice(s * items, (s + 1) * items) as number[];
        const snap = float32 ? snaps[s] : undefined;
        if (snap) snapFloat32(vs, snap);
        values.set(name, vs);
        if (suspicious) continue;
        const allowed = this.allowedRanges.get(name);
        for (const v of vs) {
          if (!Number.isFinite(v)) suspicious = { feature: name, value: v, allowed: 'finite' };
          else if (allowed && (v < allowed[0] || v > allowed[1])) suspicious = { feature: name, value: v, allowed };
          if (suspicious) break;
        }
      }
    }
    return suspicious ? { values, suspicious } : { values };
  }

  /**
   * Records one successful run from its inputs and first output, as inspect() then record() would
   * but without the Map and arrays they build: the deferred batch's path, run for every inference.
   */
  recordRun(inputs: Record<string, TensorLike>, scores: TensorLike, latencyMs: number, backend: string): void {
    this.counters.runs++;
    for (let p = 0; p < this.plans.length; p++) {
      const { input, reader, snaps, sketches } = this.plans[p]!;
      const tensor = inputs[input];
      if (!tensor) continue;
      const items = reader.read(tensor);
      const values = reader.values;
      const float32 = tensor.data instanceof Float32Array;
      for (let s = 0; s < sketches.length; s++) {
        const sketch = sketches[s]!;
        const snap = float32 ? snaps[s] : undefined;
        for (let b = s * items, end = b + items; b < end; b++) {
          const v = values[b];
          sketch.update((snap?.get(v!) ?? v) as never);
        }
      }
    }
    this.latency.update(latencyMs);
    this.backends.update(backend);
    this.recordScores(scores);
  }

  private recordFeatures(values: Inspection['values'], latencyMs: number, backend: string): void {
    this.counters.runs++;
    for (const [name, vs] of values) {
      const sketch = this.features.get(name)!;
      for (const v of vs) sketch.update(v as never);
    }
    this.latency.update(latencyMs);
    this.backends.update(backend);
  }

  /** Class scores: per row, the max is the confidence, its index the predicted class. */
  private recordScores(first: TensorLike | undefined): void {
    if (!first || first.dims.length < 1) return;
    const classes = first.dims[first.dims.length - 1]!;
    const data = first.data;
    for (let row = 0; classes > 1 && row < data.length / classes; row++) {
      const best = topClassOf(data, row * classes, classes);
      this.confidence.update(Number(data[row * classes + best]));
      this.topClass.update(best);
    }
  }

  /** Records one successful run. */
  record(inspection: Inspection, outputs: Record<string, TensorLike>, latencyMs: number, backend: string): void {
    this.recordFeatures(inspection.values, latencyMs, backend);
    this.recordScores(Object.values(outputs)[0]);
  }

  count(counter: 'errors' | 'rejected' | 'fallbacks'): void {
    this.counters[counter]++;
  }

  /** Drift of the sketched features against the baseline (undefined without a baseline). */
  drift(): DriftReport | undefined {
    if (!this.options.baseline) return undefined;
    return compareToBaseline(this.options.baseline, Object.fromEntries(this.features), this.options.drift);
  }

  report(): MonitorReport {
    const [p50, p95, p99] = this.latency.kll.quantiles([0.5, 0.95, 0.99]);
    const [c10, c50] = this.confidence.kll.quantiles([0.1, 0.5]);
    return {
      counters: { ...this.counters },
      backends: Object.fromEntries(this.backends.counts),
      latencyMs: { count: this.latency.count, p50: p50!, p95: p95!, p99: p99! },
      confidence: { count: this.confidence.count, p10: c10!, p50: c50! },
      topClasses: Object.fromEntries(this.topClass.counts),
      drift: this.drift(),
    };
  }

  /**
   * What an uplink may send: counts on fixed bins only. Sketch items, quantiles and min/max are
   * values from real inputs and stay on the device; numeric features without baseline bins are left
   * out (listed in `skipped`).
   */
  aggregates(): Aggregates {
    const features: Report['features'] = {};
    const skipped: string[] = [];
    for (const [name, sketch] of this.features) {
      if (sketch instanceof CategoricalSketch) features[name] = { kind: 'categorical', counts: knownCategories(sketch, this.options.baseline?.features[name]), missing: sketch.missing };
      else if (sketch.binCounts) features[name] = { kind: 'numeric', ...binned(sketch) };
      else skipped.push(name);
    }
    return {
      body: {
        counters: { ...this.counters },
        backends: Object.fromEntries(this.backends.counts),
        latencyMs: binned(this.latency),
        confidence: binned(this.confidence),
        topClasses: Object.fromEntries(this.topClass.counts),
        features,
      },
      skipped,
    };
  }

  /**
   * Every aggregate in one compact binary blob (version byte first), for local persistence and
   * merging. Its KLL sketches retain sample values, so it never leaves the device: uplinks send
   * aggregates() instead.
   */
  snapshot(): Uint8Array {
    const w = new ByteWriter().u8(SNAPSHOT_VERSION);
    const c = this.counters;
    w.varint(c.runs).varint(c.errors).varint(c.rejected).varint(c.fallbacks);
    this.latency.write(w);
    this.confidence.write(w);
    this.topClass.write(w);
    this.backends.write(w);
    w.varint(this.features.size);
    for (const [name, sketch] of this.features) {
      w.string(name);
      if (sketch instanceof NumericSketch) sketch.write(w.u8(0));
      else sketch.write(w.u8(1));
    }
    return w.finish();
  }
}

/** An input features are read from: its specs, their reader, float32 snap tables, and the sketches their values update. */
interface InputPlan {
  input: string;
  specs: FeatureSpec[];
  reader: FeatureReader;
  snaps: Array<Map<number, number> | undefined>;
  sketches: Array<NumericSketch | CategoricalSketch>;
}

/**
 * Category counts with every category the baseline does not know folded into "__other__": a
 * category seen only on this device may be something a user typed.
 */
function knownCategories(sketch: CategoricalSketch, base: Baseline['features'][string] | undefined): Record<string, number> {
  const known = base?.kind === 'categorical' ? base.counts : {};
  const out: Record<string, number> = {};
  for (const [category, count] of sketch.counts) {
    // hasOwn, not `in`: "constructor" or "toString" typed by a user is not in the vocabulary.
    const key = Object.hasOwn(known, category) ? category : '__other__';
    out[key] = (out[key] ?? 0) + count;
  }
  return out;
}

function binned(sketch: NumericSketch): BinnedCounts {
  return { counts: [...sketch.binCounts!], missing: sketch.missing, nan: sketch.nan, belowRange: sketch.belowRange, aboveRange: sketch.aboveRange };
}

/** The decoded form of a snapshot, mergeable across devices (the collector's view). */
export interface MonitorSnapshot {
  counters: Counters;
  latency: NumericSketch;
  confidence: NumericSketch;
  topClass: CategoricalSketch;
  backends: CategoricalSketch;
  features: Map<string, NumericSketch | CategoricalSketch>;
}

/** Decodes a snapshot; of a windowed one, its cumulative view. */
export function readSnapshot(bytes: Uint8Array): MonitorSnapshot {
  if (bytes[0] === LEGACY_WINDOWED_SNAPSHOT_VERSION) return readSnapshot(new ByteReader(bytes.subarray(1)).bytes());
  if (bytes[0] === WINDOWED_SNAPSHOT_VERSION) {
    const r = new ByteReader(bytes.subarray(1));
    const before = readSnapshot(r.bytes());
    r.f64();
    r.f64();
    return mergeSnapshots(before, readSnapshot(r.bytes()));
  }
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== SNAPSHOT_VERSION) throw new SketchFormatError(`Monitor snapshot format ${version} is not supported (expected ${SNAPSHOT_VERSION}).`);
  const counters = { runs: r.varint(), errors: r.varint(), rejected: r.varint(), fallbacks: r.varint() };
  const latency = NumericSketch.read(r);
  const confidence = NumericSketch.read(r);
  const topClass = CategoricalSketch.read(r);
  const backends = CategoricalSketch.read(r);
  const features = new Map<string, NumericSketch | CategoricalSketch>();
  const count = r.varint();
  for (let i = 0; i < count; i++) {
    const name = r.string();
    features.set(name, r.u8() === 0 ? NumericSketch.read(r) : CategoricalSketch.read(r));
  }
  if (!r.done) throw new SketchFormatError('Monitor snapshot has trailing bytes.');
  return { counters, latency, confidence, topClass, backends, features };
}

/** Merges snapshot b into a (counters add, sketches merge). */
export function mergeSnapshots(a: MonitorSnapshot, b: MonitorSnapshot): MonitorSnapshot {
  for (const key of Object.keys(a.counters) as Array<keyof Counters>) a.counters[key] += b.counters[key];
  a.latency.merge(b.latency);
  a.confidence.merge(b.confidence);
  a.topClass.merge(b.topClass);
  a.backends.merge(b.backends);
  for (const [name, sketch] of b.features) {
    const mine = a.features.get(name);
    if (!mine) a.features.set(name, sketch);
    else if (mine instanceof NumericSketch && sketch instanceof NumericSketch) mine.merge(sketch);
    else if (mine instanceof CategoricalSketch && sketch instanceof CategoricalSketch) mine.merge(sketch);
    else throw new TypeError(`mergeSnapshots: feature "${name}" is numeric in one snapshot and categorical in the other.`);
  }
  return a;
}
