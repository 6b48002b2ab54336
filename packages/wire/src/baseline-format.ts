/**
 * The baseline format: what a model version's inputs looked like in training. Shipped with the
 * model (devices count into its bins) and registered at the collector (which compares the merged
 * counts with it), so it belongs to the wire format both sides share. Built by `edgewise baseline`
 * / buildBaseline() in @edgewise/drift.
 */

/** Reference statistics of one numeric feature, taken from training data. */
export interface NumericBaseline {
  kind: 'numeric';
  n: number;
  missing: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Fixed bin edges from the training quantiles; device sketches count into the same bins. */
  edges: number[];
  /** Training counts per bin (edges.length + 1 bins). */
  counts: number[];
  /** The training data's KLL sketch, base64, for KS and Wasserstein. */
  sketch: string;
}

export interface CategoricalBaseline {
  kind: 'categorical';
  n: number;
  missing: number;
  counts: Record<string, number>;
}

export type FeatureBaseline = NumericBaseline | CategoricalBaseline;

/**
 * A baseline shipped with a model version.
 *
 * @example
 * const baseline = buildBaseline({ temp: [12.8, 10.6, …], weather: ['rain', …] }, { bins: 10 });
 */
export interface Baseline {
  format: 'edgewise-baseline';
  version: 1;
  createdAt: string;
  rows: number;
  features: Record<string, FeatureBaseline>;
}
