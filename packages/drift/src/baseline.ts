import { ByteReader, ByteWriter } from './binary.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { DEFAULT_K, KllSketch } from './kll-sketch.js';
import { NumericSketch } from './numeric-sketch.js';

import type { Baseline, CategoricalBaseline, FeatureBaseline, NumericBaseline } from '@edgewise/wire';

export type { Baseline, CategoricalBaseline, FeatureBaseline, NumericBaseline } from '@edgewise/wire';

export type ColumnValue = number | string | null | undefined;

export interface BuildBaselineOptions {
  /** Number of quantile bins for numeric features (default 10, as PSI conventionally uses). */
  bins?: number;
  /** Columns to treat as categorical even if they parse as numbers. */
  categorical?: string[];
  /** KLL accuracy parameter (default DEFAULT_K = 400). */
  k?: number;
}

/** Thrown for a baseline file that is not one, or is damaged. */
export class BaselineFormatError extends Error {
  readonly code = 'E_BASELINE_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'BaselineFormatError';
  }
}

const toBase64 = (bytes: Uint8Array) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Exact quantile edges of sorted data, deduplicated (many equal values collapse bins). */
function quantileEdges(sorted: number[], bins: number): number[] {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((i / bins) * sorted.length))]!;
    if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  return edges;
}

export function buildNumericBaseline(values: readonly ColumnValue[], bins = 10, k = DEFAULT_K): NumericBaseline {
  const numbers = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  if (numbers.length === 0) throw new RangeError('buildNumericBaseline: the column has no numeric values.');
  const sorted = [...numbers].sort((a, b) => a - b);
  const edges = quantileEdges(sorted, bins);
  const sketch = new NumericSketch(edges, undefined, k);
  for (const v of numbers) sketch.update(v);
  const mean = sketch.sum / numbers.length;
  const variance = numbers.reduce((s, v) => s + (v - mean) ** 2, 0) / numbers.length;
  const w = new ByteWriter();
  sketch.kll.write(w);
  return {
    kind: 'numeric',
    n: numbers.length,
    missing: values.length - numbers.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean,
    std: Math.sqrt(variance),
    edges,
    counts: sketch.binCounts!,
    sketch: toBase64(w.finish()),
  };
}

export function buildCategoricalBaseline(values: readonly ColumnValue[]): CategoricalBaseline {
  const counts: Record<string, number> = {};
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined || v === '') missing++;
    else counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  }
  return { kind: 'categorical', n: values.length - missing, missing, counts };
}

/** Builds a baseline from columns of training data. Numeric columns are those whose values are all numbers. */
export function buildBaseline(columns: Record<string, readonly ColumnValue[]>, options: BuildBaselineOptions = {}): Baseline {
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 2 || bins > 1000) throw new RangeError(`buildBaseline: "bins" must be an integer in [2, 1000]; received ${bins}.`);
  const features: Record<string, FeatureBaseline> = {};
  let rows = 0;
  for (const [name, values] of Object.entries(columns)) {
    rows = Math.max(rows, values.length);
    const numeric = !options.categorical?.includes(name) && values.every((v) => v === null || v === undefined || typeof v === 'number');
    features[name] = numeric ? buildNumericBaseline(values, bins, options.k) : buildCategoricalBaseline(values);
  }
  return { format: 'edgewise-baseline', version: 1, createdAt: new Date().toISOString(), rows, features };
}

/** The KLL sketch stored in a numeric baseline. */
export function baselineKll(feature: NumericBaseline): KllSketch {
  return KllSketch.read(new ByteReader(new ByteReader(fromBase64(feature.sketch)).bytes()));
}

/** A categorical sketch holding the baseline's counts. */
export function baselineCategorical(feature: CategoricalBaseline): CategoricalSketch {
  const sketch = new CategoricalSketch(Math.max(64, Object.keys(feature.counts).length));
  for (const [category, count] of Object.entries(feature.counts)) sketch.update(category, count);
  return sketch;
}

/** Validates parsed JSON as a Baseline, naming the first thing wrong. */
export function parseBaseline(json: unknown): Baseline {
  const fail = (what: string): never => {
    throw new BaselineFormatError(`Not a valid Edgewise baseline: ${what}.`);
  };
  const b = json as Partial<Baseline> | null;
  if (typeof b !== 'object' || b === null) fail('expected a JSON object');
  if (b!.format !== 'edgewise-baseline') fail(`"format" is ${JSON.stringify(b!.format)}, expected "edgewise-baseline"`);
  if (b!.version !== 1) fail(`"version" is ${JSON.stringify(b!.version)}, this SDK reads version 1`);
  if (typeof b!.features !== 'object' || b!.features === null) fail('"features" must be an object');
  for (const [name, f] of Object.entries(b!.features!)) {
    if (f?.kind === 'numeric') {
      if (!Array.isArray(f.edges) || !Array.isArray(f.counts) || f.counts.length !== f.edges.length + 1) {
        fail(`feature "${name}" needs "edges" and "counts" with counts.length = edges.length + 1`);
      }
      if (typeof f.sketch !== 'string') fail(`feature "${name}" has no "sketch"`);
      try {
        baselineKll(f);
      } catch (e) {
        fail(`feature "${name}" has a damaged sketch (${(e as Error).message})`);
      }
    } else if (f?.kind === 'categorical') {
      if (typeof f.counts !== 'object' || f.counts === null) fail(`feature "${name}" needs "counts"`);
    } else {
      fail(`feature "${name}" has kind ${JSON.stringify((f as { kind?: unknown })?.kind)}, expected "numeric" or "categorical"`);
    }
  }
  return b as Baseline;
}
