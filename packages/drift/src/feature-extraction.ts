/** A tensor as the monitor sees it: no dependency on @edgewise/core's types. */
export interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

import type { FeatureReducer, FeatureSpec } from '@edgewise/core';

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

/** Everything the reducers need about one batch item, gathered in a single pass. */
interface ItemStats {
  sum: number;
  sumSq: number;
  min: number;
  max: number;
  nonzero: number;
  mass: number;
  momentX: number;
  momentY: number;
  length: number;
  width: number;
}

/**
 * One pass over an item computes every statistic at once: this runs on every inference, and five
 * features over one image cost about what one feature does.
 */
function summarize(data: ArrayLike<number>, start: number, length: number, width: number, withMinMax: boolean): ItemStats {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonzero = 0;
  let mass = 0;
  let momentX = 0;
  let momentY = 0;
  const rows = Math.floor(length / width);
  for (let row = 0; row < rows; row++) {
    const base = start + row * width;
    let rowMass = 0;
    for (let col = 0; col < width; col++) {
      const v = data[base + col]!;
      // A zero adds nothing to any statistic; images are mostly background (MNIST: 81 % zeros),
      // and skipping them halves the pass there. Min/max come from their own pass.
      if (v === 0) continue;
      sum += v;
      sumSq += v * v;
      nonzero++;
      const a = v < 0 ? -v : v;
      rowMass += a;
      momentX += a * col;
    }
    mass += rowMass;
    momentY += rowMass * row;
  }
  // A centroid's own width may not divide the item: the elements past its last full row are
  // outside that image but still part of the input every other statistic describes.
  for (let i = start + rows * width; i < start + length; i++) {
    const v = data[i]!;
    sum += v;
    sumSq += v * v;
    if (v !== 0) nonzero++;
  }
  if (withMinMax) {
    // A separate pass: min/max compares cost as much as all of the above, and are rarely asked for.
    for (let i = start; i < start + length; i++) {
      const v = data[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { sum, sumSq, min, max, nonzero, mass, momentX, momentY, length, width };
}

function reduce(stats: ItemStats, spec: FeatureSpec): number {
  const { length } = stats;
  switch (spec.reduce) {
    case 'mean':
      return stats.sum / length;
    case 'std': {
      const mean = stats.sum / length;
      return Math.sqrt(Math.max(0, stats.sumSq / length - mean * mean));
    }
    case 'min':
      return stats.min;
    case 'max':
      return stats.max;
    case 'nonzero-fraction':
      return stats.nonzero / length;
    case 'centroid-x':
      // Intensity-weighted centre, normalised to [0, 1] of the image extent.
      return stats.mass === 0 ? NaN : stats.momentX / stats.mass / (stats.width - 1 || 1);
    case 'centroid-y':
      return stats.mass === 0 ? NaN : stats.momentY / stats.mass / (length / stats.width - 1 || 1);
    default:
      return NaN;
  }
}

const isCentroid = (spec: FeatureSpec) => spec.reduce === 'centroid-x' || spec.reduce === 'centroid-y';

/**
 * Values of several features of one input tensor, one array per spec (one value per batch item).
 * Specs that reduce the same tensor share one pass per item.
 */
export function extractFeatures(tensor: TensorLike, specs: readonly FeatureSpec[]): number[][] {
  const items = tensor.dims.length > 1 ? tensor.dims[0]! : 1;
  const perItem = items > 0 ? tensor.data.length / items : 0;
  const lastDim = tensor.dims[tensor.dims.length - 1] ?? perItem;
  // int64 inputs arrive as bigint; everything else is read as numbers without conversion.
  const data = tensor.data instanceof BigInt64Array ? Float64Array.from(tensor.data, Number) : (tensor.data as ArrayLike<number>);
  const out = specs.map(() => [] as number[]);
  const withMinMax = specs.some((s) => s.reduce === 'min' || s.reduce === 'max');
  const sharedWidth = specs.find(isCentroid)?.width ?? lastDim;
  for (let b = 0; b < items; b++) {
    const start = b * perItem;
    const cache = new Map<number, ItemStats>();
    specs.forEach((spec, s) => {
      if ((spec.reduce ?? 'value') === 'value') return void out[s]!.push(data[start + (spec.index ?? 0)]!);
      // Only centroids depend on the width; every other statistic reuses whichever pass exists.
      const width = isCentroid(spec) ? (spec.width ?? lastDim) : sharedWidth;
      let stats = cache.get(width);
      if (!stats) cache.set(width, (stats = summarize(data, start, perItem, width, withMinMax)));
      out[s]!.push(reduce(stats, spec));
    });
  }
  return out;
}

/** Feature values of one input tensor: one per batch item (first axis; rank-1 tensors are one item). */
export function extractFeature(tensor: TensorLike, spec: FeatureSpec): number[] {
  return extractFeatures(tensor, [spec])[0]!;
}
