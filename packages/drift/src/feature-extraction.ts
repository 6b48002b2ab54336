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

function reduceItem(data: ArrayLike<number | bigint>, start: number, length: number, spec: FeatureSpec, lastDim: number): number {
  const at = (i: number) => Number(data[start + i]);
  switch (spec.reduce ?? 'value') {
    case 'value':
      return at(spec.index ?? 0);
    case 'mean': {
      let s = 0;
      for (let i = 0; i < length; i++) s += at(i);
      return s / length;
    }
    case 'std': {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < length; i++) {
        const v = at(i);
        s += v;
        s2 += v * v;
      }
      const mean = s / length;
      return Math.sqrt(Math.max(0, s2 / length - mean * mean));
    }
    case 'min': {
      let m = Infinity;
      for (let i = 0; i < length; i++) m = Math.min(m, at(i));
      return m;
    }
    case 'max': {
      let m = -Infinity;
      for (let i = 0; i < length; i++) m = Math.max(m, at(i));
      return m;
    }
    case 'nonzero-fraction': {
      let c = 0;
      for (let i = 0; i < length; i++) if (at(i) !== 0) c++;
      return c / length;
    }
    case 'centroid-x':
    case 'centroid-y': {
      // Intensity-weighted centre, normalised to [0, 1] of the image extent.
      const width = spec.width ?? lastDim;
      const height = length / width;
      let total = 0;
      let moment = 0;
      for (let i = 0; i < length; i++) {
        const v = Math.abs(at(i));
        total += v;
        moment += v * (spec.reduce === 'centroid-x' ? i % width : Math.floor(i / width));
      }
      const extent = spec.reduce === 'centroid-x' ? width - 1 : height - 1;
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
  for (let b = 0; b < items; b++) out.push(reduceItem(tensor.data, b * perItem, perItem, spec, lastDim));
  return out;
}
