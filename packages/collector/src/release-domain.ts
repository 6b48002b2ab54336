import { BACKEND_NAMES, CANARY_EVIDENCE_KEYS, CANARY_OUTCOME_KEYS, CONFIDENCE_EDGES, LATENCY_EDGES_MS, OTHER_KEY, SHADOW_DIFF_EDGES } from '@edgewise/wire';
import type { Layout } from './layout.js';
import { EXTRA_KEYS, SERIES } from './series.js';

/** Confusion cells released per window: 32 × 32 (every pair of the first 32 classes). */
const CONFUSION_CLASSES = 32;

/**
 * The label series. Released only when the collector is configured to (releaseLabels): they are
 * three more count groups, so releasing them spreads ε thinner over every other series too.
 */
export const LABEL_SERIES: readonly string[] = [SERIES.confusion, SERIES.labeled, `${SERIES.labeled}-extra`, SERIES.correct, `${SERIES.correct}-extra`];

/** The shadow series: released only when configured (releaseShadow), four more count groups. */
export const SHADOW_SERIES: readonly string[] = [
  SERIES.shadow,
  SERIES.shadowDiff,
  `${SERIES.shadowDiff}-extra`,
  SERIES.shadowActiveLatency,
  `${SERIES.shadowActiveLatency}-extra`,
  SERIES.shadowCandidateLatency,
  `${SERIES.shadowCandidateLatency}-extra`,
];

/** The canary series: released only when configured (releaseCanary), two more count groups. */
export const CANARY_SERIES: readonly string[] = [SERIES.canary, SERIES.canaryEvidence];

const range = (n: number) => Array.from({ length: n }, (_, i) => String(i));

/**
 * The keys released for each series, fixed by the layout and the configuration, never by the data:
 * a key that appeared only when some device counted it would say that it did. Every key of the
 * domain is released with noise, zero or not. A series not listed here (a count section added to
 * the report later) is released over the keys it holds, and still noised; give it a domain here.
 */
export function releaseDomain(layout: Layout | undefined, releasedClasses: number, releaseLabels = false, releaseShadow = false, releaseCanary = false): Map<string, readonly string[]> {
  const d = new Map<string, readonly string[]>([
    [SERIES.latency, range(LATENCY_EDGES_MS.length + 1)],
    [SERIES.latencyExtra, EXTRA_KEYS],
    [SERIES.confidence, range(CONFIDENCE_EDGES.length + 1)],
    [SERIES.confidenceExtra, EXTRA_KEYS],
    [SERIES.backends, [...BACKEND_NAMES, OTHER_KEY]],
    [SERIES.classes, [...range(releasedClasses), OTHER_KEY]],
  ]);
  if (releaseLabels) {
    // Delayed labels (model.feedback): per confidence bin, and confusion cells "label:predicted" of
    // the first CONFUSION_CLASSES classes (cells of higher classes are not released).
    const classes = range(Math.min(releasedClasses, CONFUSION_CLASSES));
    d.set(SERIES.labeled, range(CONFIDENCE_EDGES.length + 1));
    d.set(`${SERIES.labeled}-extra`, EXTRA_KEYS);
    d.set(SERIES.correct, range(CONFIDENCE_EDGES.length + 1));
    d.set(`${SERIES.correct}-extra`, EXTRA_KEYS);
    d.set(SERIES.confusion, classes.flatMap((a) => classes.map((b) => `${a}:${b}`)));
  }
  if (releaseShadow) {
    // Shadow evaluation (loadModel shadow): the counters group, the difference bins, both latencies.
    d.set(SERIES.shadow, ['runs', 'items', 'agreed', 'errors', 'dropped']);
    d.set(SERIES.shadowDiff, range(SHADOW_DIFF_EDGES.length + 1));
    d.set(`${SERIES.shadowDiff}-extra`, EXTRA_KEYS);
    d.set(SERIES.shadowActiveLatency, range(LATENCY_EDGES_MS.length + 1));
    d.set(`${SERIES.shadowActiveLatency}-extra`, EXTRA_KEYS);
    d.set(SERIES.shadowCandidateLatency, range(LATENCY_EDGES_MS.length + 1));
    d.set(`${SERIES.shadowCandidateLatency}-extra`, EXTRA_KEYS);
  }
  if (releaseCanary) {
    // Canary guard verdicts (loadModel canary) and the counts they were judged on.
    d.set(SERIES.canary, CANARY_OUTCOME_KEYS);
    d.set(SERIES.canaryEvidence, CANARY_EVIDENCE_KEYS);
  }
  for (const [name, f] of layout?.features ?? []) {
    if (f.kind === 'numeric') {
      d.set(SERIES.feature(name), range(f.bins));
      d.set(SERIES.featureExtra(name), EXTRA_KEYS);
    } else {
      d.set(SERIES.feature(name), [...[...f.vocabulary].filter((k) => k !== OTHER_KEY), OTHER_KEY]);
      d.set(SERIES.featureExtra(name), ['missing']);
    }
  }
  return d;
}

/**
 * The count group (see countGroups in @edgewise/wire) a series belongs to: a distribution's main
 * and "-extra" series are one group on the device, bounded together.
 */
export const groupOfSeries = (series: string): string => series.replace(/-extra(?=:|$)/, '');
