/**
 * Names of the series in window_counts. Each distribution has a main series (key: bin index or
 * category) and an "-extra" series (key: missing, nan, belowRange, aboveRange), so no category can
 * collide with those four. A feature name is everything after the first colon.
 */
export const SERIES = {
  latency: 'latency',
  latencyExtra: 'latency-extra',
  confidence: 'confidence',
  confidenceExtra: 'confidence-extra',
  backends: 'backends',
  classes: 'classes',
  /** Delayed labels: key "label:predicted". */
  confusion: 'confusion',
  /** Per confidence bin: labelled predictions, and the right ones (calibration). */
  labeled: 'labeled',
  correct: 'correct',
  /** Shadow evaluation: key runs, items, agreed, errors, dropped. */
  shadow: 'shadow',
  /** Per compared run: mean |active − candidate| on SHADOW_DIFF_EDGES, and both latencies on LATENCY_EDGES_MS. */
  shadowDiff: 'shadow-diff',
  shadowActiveLatency: 'shadow-active-latency',
  shadowCandidateLatency: 'shadow-candidate-latency',
  /** Canary guard verdicts: key passed, rolledBackErrorRate, rolledBackAgreement, rolledBackLatency, rolledBackCrashes. */
  canary: 'canary',
  /** What the verdicts were judged on: key runs, canaryErrors, referenceRuns, referenceErrors, compared, items, agreed. */
  canaryEvidence: 'canary-evidence',
  feature: (name: string) => `feature:${name}`,
  featureExtra: (name: string) => `feature-extra:${name}`,
} as const;

export const EXTRA_KEYS = ['missing', 'nan', 'belowRange', 'aboveRange'] as const;

/** The feature a series belongs to, and whether it is the extra one; undefined for other series. */
export function featureOfSeries(series: string): { name: string; extra: boolean } | undefined {
  if (series.startsWith('feature:')) return { name: series.slice('feature:'.length), extra: false };
  if (series.startsWith('feature-extra:')) return { name: series.slice('feature-extra:'.length), extra: true };
  return undefined;
}
