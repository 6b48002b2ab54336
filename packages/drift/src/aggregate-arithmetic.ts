import type { Aggregates } from '@edgewise/core';
import type { BinnedCounts, FeatureAggregate } from '@edgewise/wire';

export type AggregateBody = Aggregates['body'];

const minusRecord = (a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(a)) {
    const d = n - (b?.[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
};

const minusBins = (a: BinnedCounts, b: BinnedCounts | undefined): BinnedCounts => ({
  counts: a.counts.map((n, i) => n - (b?.counts[i] ?? 0)),
  missing: a.missing - (b?.missing ?? 0),
  nan: a.nan - (b?.nan ?? 0),
  belowRange: a.belowRange - (b?.belowRange ?? 0),
  aboveRange: a.aboveRange - (b?.aboveRange ?? 0),
});

const minusCounters = <T extends Record<string, number>>(a: T, b: T | undefined): T =>
  Object.fromEntries(Object.entries(a).map(([key, n]) => [key, n - (b?.[key] ?? 0)])) as T;

function minusFeature(a: FeatureAggregate, b: FeatureAggregate | undefined): FeatureAggregate {
  if (a.kind === 'numeric') return { kind: 'numeric', ...minusBins(a, b?.kind === 'numeric' ? b : undefined) };
  const other = b?.kind === 'categorical' ? b : undefined;
  return { kind: 'categorical', counts: minusRecord(a.counts, other?.counts), missing: a.missing - (other?.missing ?? 0) };
}

/**
 * a − b, count by count: what a window gained since part of it was handed to the uplink. Every
 * count only grows within a window, so the result is never negative when b was taken from a earlier.
 * Optional sections (labels, shadow, canary) are subtracted the same way when present.
 */
export function subtractBody(a: AggregateBody, b: AggregateBody | undefined): AggregateBody {
  if (!b) return a;
  const counters = { ...a.counters };
  for (const key of Object.keys(counters) as Array<keyof typeof counters>) counters[key] -= b.counters[key];
  const out: AggregateBody = {
    ...a,
    counters,
    backends: minusRecord(a.backends, b.backends),
    latencyMs: minusBins(a.latencyMs, b.latencyMs),
    confidence: minusBins(a.confidence, b.confidence),
    topClasses: minusRecord(a.topClasses, b.topClasses),
    features: Object.fromEntries(Object.entries(a.features).map(([name, f]) => [name, minusFeature(f, b.features[name])])),
  };
  if (a.labels) {
    const bl = b.labels;
    out.labels = { confusion: minusRecord(a.labels.confusion, bl?.confusion), labeled: minusBins(a.labels.labeled, bl?.labeled), correct: minusBins(a.labels.correct, bl?.correct) };
  }
  if (a.shadow) {
    const bs = b.shadow;
    out.shadow = {
      counters: minusCounters(a.shadow.counters, bs?.counters),
      absDiff: minusBins(a.shadow.absDiff, bs?.absDiff),
      activeLatencyMs: minusBins(a.shadow.activeLatencyMs, bs?.activeLatencyMs),
      candidateLatencyMs: minusBins(a.shadow.candidateLatencyMs, bs?.candidateLatencyMs),
    };
    if (Object.values(out.shadow.counters).every((n) => n === 0)) delete out.shadow;
  }
  if (a.canary) {
    out.canary = { outcomes: minusCounters(a.canary.outcomes, b.canary?.outcomes), evidence: minusCounters(a.canary.evidence, b.canary?.evidence) };
    if (Object.values(out.canary.outcomes).every((n) => n === 0)) delete out.canary;
  }
  return out;
}

/** True when a body counts nothing (no run, error, rejection, label, shadow run or canary verdict): such a window is not worth a report. */
export const isEmptyBody = (body: AggregateBody) =>
  body.counters.runs === 0 && body.counters.errors === 0 && body.counters.rejected === 0 && !(body.labels && Object.keys(body.labels.confusion).length > 0) && !body.shadow && !body.canary;
