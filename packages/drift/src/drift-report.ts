import { baselineCategorical, baselineKll, type Baseline, type CategoricalBaseline, type NumericBaseline } from './baseline.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { alignedCounts, chiSquareTest, jensenShannon, ksTest, psi, wasserstein } from './drift-metrics.js';
import { DEFAULT_K, type KllSketch } from './kll-sketch.js';
import { NumericSketch } from './numeric-sketch.js';

import type { DriftMethod, DriftOptions, DriftReport, FeatureDrift } from '@edgewise/core';

export type { DriftMethod, DriftOptions, DriftReport, FeatureDrift } from '@edgewise/core';

const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chi-square']);

/** Evidently's defaults: distances flag drift at ≥ 0.1, statistical tests at p < 0.05. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  psi: 0.1,
  'jensen-shannon': 0.1,
  wasserstein: 0.1,
  ks: 0.05,
  'chi-square': 0.05,
};

/** Current counts per baseline bin: exact when the sketch counted into those bins, else from its CDF. */
function currentBinCounts(base: NumericBaseline, current: NumericSketch): number[] {
  if (current.binCounts && current.edges?.length === base.edges.length && current.edges.every((e, i) => e === base.edges[i])) {
    return current.binCounts;
  }
  const cdf = base.edges.map((e) => current.kll.cdf(e) * current.count);
  return [...cdf, current.count].map((c, i) => c - (i > 0 ? cdf[i - 1]! : 0));
}

function numericMetrics(base: NumericBaseline, reference: KllSketch, current: NumericSketch): FeatureDrift['metrics'] {
  const bins = currentBinCounts(base, current);
  const ks = ksTest(reference, current.kll);
  return {
    psi: psi(base.counts, bins),
    'jensen-shannon': jensenShannon(base.counts, bins),
    // Normalised by the training spread, as Evidently's "Wasserstein distance (normed)".
    wasserstein: wasserstein(reference, current.kll) / (base.std || 1),
    ks: ks.pValue,
    'ks-statistic': ks.statistic,
  };
}

function categoricalMetrics(base: CategoricalBaseline, current: CategoricalSketch): FeatureDrift['metrics'] {
  const reference = baselineCategorical(base);
  const [ref, cur] = alignedCounts(reference, current);
  const chi = chiSquareTest(reference, current);
  return { psi: psi(ref, cur), 'jensen-shannon': jensenShannon(ref, cur), 'chi-square': chi.pValue, 'chi-square-statistic': chi.statistic };
}

/**
 * Compares device sketches with the baseline, feature by feature, from sketches only.
 *
 * @example
 * const report = compareToBaseline(baseline, monitor.featureSketches());
 * if (report.drifted) console.warn(report.features.filter((f) => f.drifted));
 */
export function compareToBaseline(
  baseline: Baseline,
  current: Record<string, NumericSketch | CategoricalSketch>,
  options: DriftOptions = {},
): DriftReport {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const minCount = options.minCount ?? 30;
  const features: FeatureDrift[] = [];
  for (const [name, sketch] of Object.entries(current)) {
    const base = baseline.features[name];
    if (!base) continue;
    let metrics: FeatureDrift['metrics'];
    let count: number;
    if (base.kind === 'numeric') {
      if (!(sketch instanceof NumericSketch)) throw new TypeError(`compareToBaseline: feature "${name}" is numeric in the baseline but categorical here.`);
      metrics = sketch.count > 0 ? numericMetrics(base, baselineKll(base), sketch) : {};
      count = sketch.count;
    } else {
      if (!(sketch instanceof CategoricalSketch)) throw new TypeError(`compareToBaseline: feature "${name}" is categorical in the baseline but numeric here.`);
      metrics = sketch.n > 0 ? categoricalMetrics(base, sketch) : {};
      count = sketch.n;
    }
    const method = options.methods?.[name] ?? defaultMethod(base);
    const score = metrics[method] ?? NaN;
    const threshold = thresholds[method];
    const insufficient = count < minCount || Number.isNaN(score);
    const drifted = !insufficient && (P_VALUE_METHODS.has(method) ? score < threshold : score >= threshold);
    features.push({ feature: name, kind: base.kind, method, score, threshold, drifted, count, metrics, insufficient });
  }
  const judged = features.filter((f) => !f.insufficient);
  const driftedShare = judged.length ? judged.filter((f) => f.drifted).length / judged.length : 0;
  return { features, driftedShare, drifted: judged.length > 0 && driftedShare >= (options.driftShare ?? 0.5) };
}

function defaultMethod(base: NumericBaseline | CategoricalBaseline): DriftMethod {
  if (base.kind === 'numeric') return base.n <= 1000 ? 'ks' : 'wasserstein';
  return base.n <= 1000 ? 'chi-square' : 'jensen-shannon';
}

/** An empty sketch of the right kind for a baseline feature, counting into its bins and range. */
export function sketchForBaseline(feature: NumericBaseline | CategoricalBaseline, k = DEFAULT_K): NumericSketch | CategoricalSketch {
  return feature.kind === 'numeric' ? new NumericSketch(feature.edges, [feature.min, feature.max], k) : new CategoricalSketch();
}
