/** A tensor as the monitor sees it: no dependency on @edgewise/core's types. */
export interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

/** How a monitored feature is read from an input tensor, per batch item (first axis). */
export type FeatureReducer = 'value' | 'mean' | 'std' | 'min' | 'max' | 'nonzero-fraction' | 'centroid-x' | 'centroid-y';

export const FEATURE_REDUCERS: readonly FeatureReducer[] = ['value', 'mean', 'std', 'min', 'max', 'nonzero-fraction', 'centroid-x', 'centroid-y'];

/**
 * A monitored feature. Declarative (no callbacks) so it crosses into a worker.
 *
 * @example
 * { name: 'temp_max', input: 'x', reduce: 'value', index: 1 }  // column 1 of a [batch, features] input
 * { name: 'ink', input: 'image', reduce: 'mean' }              // mean pixel of each image
 */
export interface FeatureSpec {
  name: string;
  input: string;
  reduce?: FeatureReducer;
  /** For 'value': position along the last axis (default 0). */
  index?: number;
  /** For centroids: image width (default: the last dim). */
  width?: number;
}

export function checkFeatureSpec(spec: FeatureSpec): void {
  if (!spec || typeof spec.name !== 'string' || typeof spec.input !== 'string') {
    throw new TypeError(`monitor.features: each feature needs string "name" and "input"; received ${JSON.stringify(spec)}.`);
  }
  if (spec.reduce !== undefined && !FEATURE_REDUCERS.includes(spec.reduce)) {
    throw new RangeError(`monitor.features["${spec.name}"].reduce is ${JSON.stringify(spec.reduce)}; allowed: ${FEATURE_REDUCERS.join(', ')}.`);
  }
}

/** One pass over an item's values; monomorphic loops, since this runs on every inference. */
function reduceItem(data: ArrayLike<number>, start: number, length: number, spec: FeatureSpec, lastDim: number): number {
  const end = start + length;
  switch (spec.reduce ?? 'value') {
    case 'value':
      return data[start + (spec.index ?? 0)]!;
    case 'mean':
    case 'std': {
      let s = 0;
      let s2 = 0;
      for (let i = start; i < end; i++) {
        const v = data[i]!;
        s += v;
        s2 += v * v;
      }
      const mean = s / length;
      return spec.reduce === 'mean' ? mean : Math.sqrt(Math.max(0, s2 / length - mean * mean));
    }
    case 'min': {
      let m = Infinity;
      for (let i = start; i < end; i++) if (data[i]! < m) m = data[i]!;
      return m;
    }
    case 'max': {
      let m = -Infinity;
      for (let i = start; i < end; i++) if (data[i]! > m) m = data[i]!;
      return m;
    }
    case 'nonzero-fraction': {
      let c = 0;
      for (let i = start; i < end; i++) if (data[i] !== 0) c++;
      return c / length;
    }
    case 'centroid-x':
    case 'centroid-y': {
      // Intensity-weighted centre, normalised to [0, 1] of the image extent.
      const width = spec.width ?? lastDim;
      const height = length / width;
      const alongX = spec.reduce === 'centroid-x';
      let total = 0;
      let moment = 0;
      for (let row = 0; row < height; row++) {
        const base = start + row * width;
        for (let col = 0; col < width; col++) {
          const v = Math.abs(data[base + col]!);
          total += v;
          moment += v * (alongX ? col : row);
        }
      }
      const extent = alongX ? width - 1 : height - 1;
      return total === 0 ? NaN : moment / total / (extent || 1);
    }
  }
}

/** Feature values of one input tensor: one per batch item (first axis; rank-1 tensors are one item). */
export function extractFeature(tensor: TensorLike, spec: FeatureSpec): number[] {
  const items = tensor.dims.length > 1 ? tensor.dims[0]! : 1;
  const perItem = items > 0 ? tensor.data.length / items : 0;
  const lastDim = tensor.dims[tensor.dims.length - 1] ?? perItem;
  const out: number[] = [];
  // int64 inputs arrive as bigint; everything else is read as numbers without conversion.
  const data = tensor.data instanceof BigInt64Array ? Float64Array.from(tensor.data, Number) : (tensor.data as ArrayLike<number>);
  for (let b = 0; b < items; b++) out.push(reduceItem(data, b * perItem, perItem, spec, lastDim));
  return out;
}
