/** A tensor as the monitor sees it: no dependency on @edgewise/core's types. */
export interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

import type { FeatureReducer, FeatureSpec } from '@edgewise/core';
import { MASS, MAX, MIN, MOMENT_X, MOMENT_Y, NONZERO, STATS, SUM, SUM_SQ, summarize } from './feature-pass.js';

export type { FeatureReducer, FeatureSpec } from '@edgewise/core';

export const FEATURE_REDUCERS: readonly FeatureReducer[] = ['value', 'mean', 'std', 'min', 'max', 'nonzero-fraction', 'centroid-x', 'centroid-y'];

export function checkFeatureSpec(spec: FeatureSpec): void {
  if (!spec || typeof spec.name !== 'string' || typeof spec.input !== 'string') {
    throw new TypeError(`monitor.features: each feature needs string "name" and "input"; received ${JSON.stringify(spec)}.`);
  }
  if (spec.reduce !== undefined && !FEATURE_REDUCERS.includes(spec.reduce)) {
    throw new RangeError(`monitor.features["${spec.name}"].reduce is ${JSON.stringify(spec.reduce)}; allowed: ${FEATURE_REDUCERS.join(', ')}.`);
  }
}

function reduce(stats: Float64Array, at: number, spec: FeatureSpec, length: number, width: number): number {
  switch (spec.reduce) {
    case 'mean':
      return stats[at + SUM]! / length;
    case 'std': {
      const mean = stats[at + SUM]! / length;
      return Math.sqrt(Math.max(0, stats[at + SUM_SQ]! / length - mean * mean));
    }
    case 'min':
      return stats[at + MIN]!;
    case 'max':
      return stats[at + MAX]!;
    case 'nonzero-fraction':
      return stats[at + NONZERO]! / length;
    case 'centroid-x':
      // Intensity-weighted centre, normalised to [0, 1] of the image extent.
      return stats[at + MASS] === 0 ? NaN : stats[at + MOMENT_X]! / stats[at + MASS]! / (width - 1 || 1);
    case 'centroid-y':
      return stats[at + MASS] === 0 ? NaN : stats[at + MOMENT_Y]! / stats[at + MASS]! / (length / width - 1 || 1);
    default:
      return NaN;
  }
}

const isCentroid = (spec: FeatureSpec) => spec.reduce === 'centroid-x' || spec.reduce === 'centroid-y';

/**
 * The features of one input, planned once for its specs: read() fills `values` (feature s of
 * batch item b at s · items + b) in buffers it reuses, so the monitor's per-run work allocates
 * nothing. Specs that reduce the same tensor share one pass per item (one per distinct centroid
 * width; every other statistic reuses whichever pass exists).
 */
export class FeatureReader {
  /**
   * Feature values of the last read(), feature-major: values[s * items + b]. A plain array, not a
   * Float64Array, because an element index past the item reads as undefined (counted as missing).
   */
  values: Array<number | undefined> = [];
  /** Batch items in the last read(). */
  items = 0;
  private readonly withMinMax: boolean;
  /** Per spec: the pass (index into the widths of the current tensor) its statistics come from, or -1 for an element. */
  private readonly passOf: Int32Array;
  private readonly ownWidths: Array<number | undefined>;
  private stats = new Float64Array(STATS);

  /** @param specs the features of one input tensor (their `input` is not checked here). */
  constructor(readonly specs: readonly FeatureSpec[]) {
    specs.forEach(checkFeatureSpec);
    this.withMinMax = specs.some((s) => s.reduce === 'min' || s.reduce === 'max');
    const widths: Array<number | undefined> = [];
    const sharedWidth = specs.find(isCentroid)?.width;
    this.passOf = Int32Array.from(specs, (spec) => {
      if ((spec.reduce ?? 'value') === 'value') return -1;
      // undefined stands for "the tensor's last dimension", known only at read().
      const width = isCentroid(spec) ? spec.width : sharedWidth;
      const at = widths.indexOf(width);
      return at >= 0 ? at : widths.push(width) - 1;
    });
    this.ownWidths = widths;
  }

  /** Reads every spec's feature from each batch item (first axis; rank-1 tensors are one item) into `values`; returns the item count. */
  read(tensor: TensorLike): number {
    const specs = this.specs;
    const items = tensor.dims.length > 1 ? tensor.dims[0]! : 1;
    const perItem = items > 0 ? tensor.data.length / items : 0;
    const lastDim = tensor.dims[tensor.dims.length - 1] ?? perItem;
    // int64 inputs arrive as bigint; everything else is read as numbers without conversion.
    const data = tensor.data instanceof BigInt64Array ? Float64Array.from(tensor.data, Number) : (tensor.data as ArrayLike<number>);
    const passes = this.ownWidths.length;
    if (this.stats.length < passes * STATS) this.stats = new Float64Array(passes * STATS);
    const { values, stats, passOf } = this;
    for (let b = 0; b < items; b++) {
      const start = b * perItem;
      for (let p = 0; p < passes; p++) summarize(data, start, perItem, this.ownWidths[p] ?? lastDim, this.withMinMax, stats, p * STATS);
      for (let s = 0; s < specs.length; s++) {
        const spec = specs[s]!;
        const p = passOf[s]!;
        values[s * items + b] = p < 0 ? data[start + (spec.index ?? 0)] : reduce(stats, p * STATS, spec, perItem, this.ownWidths[p] ?? lastDim);
      }
    }
    this.items = items;
    return items;
  }
}

/**
 * Values of several features of one input tensor, one array per spec (one value per batch item).
 * Specs that reduce the same tensor share one pass per item.
 */
export function extractFeatures(tensor: TensorLike, specs: readonly FeatureSpec[]): number[][] {
  const reader = new FeatureReader(specs);
  const items = reader.read(tensor);
  return specs.map((_, s) => reader.values.slice(s * items, (s + 1) * items) as number[]);
}

/** Feature values of one input tensor: one per batch item (first axis; rank-1 tensors are one item). */
export function extractFeature(tensor: TensorLike, spec: FeatureSpec): number[] {
  return extractFeatures(tensor, [spec])[0]!;
}
