import type { BinnedCounts, FeatureAggregate, Report } from '@edgewise/wire';

/** The merged part of reports: everything but identity and window. */
export type MergedBody = Pick<Report, 'counters' | 'backends' | 'latencyMs' | 'confidence' | 'topClasses' | 'features'>;

const addMaps = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Bins merge only when both sides used the same bins; a mismatch means different baselines. */
function addBins(a: BinnedCounts, b: BinnedCounts, what: string): BinnedCounts {
  if (a.counts.length !== b.counts.length) throw new RangeError(`${what}: ${b.counts.length} bins where earlier reports had ${a.counts.length}`);
  return {
    counts: a.counts.map((c, i) => c + b.counts[i]!),
    missing: a.missing + b.missing,
    nan: a.nan + b.nan,
    belowRange: a.belowRange + b.belowRange,
    aboveRange: a.aboveRange + b.aboveRange,
  };
}

/** Adds report b into a: all counts add, so merging is associative and commutative. */
export function mergeBodies(a: MergedBody, b: MergedBody): MergedBody {
  const features: Record<string, FeatureAggregate> = { ...a.features };
  for (const [name, f] of Object.entries(b.features)) {
    const mine = features[name];
    if (!mine) features[name] = f;
    else if (mine.kind === 'numeric' && f.kind === 'numeric') features[name] = { kind: 'numeric', ...addBins(mine, f, `feature "${name}"`) };
    else if (mine.kind === 'categorical' && f.kind === 'categorical') features[name] = { kind: 'categorical', counts: addMaps(mine.counts, f.counts), missing: mine.missing + f.missing };
    else throw new RangeError(`feature "${name}" is ${f.kind} here but ${mine.kind} in earlier reports`);
  }
  return {
    counters: {
      runs: a.counters.runs + b.counters.runs,
      errors: a.counters.errors + b.counters.errors,
      rejected: a.counters.rejected + b.counters.rejected,
      fallbacks: a.counters.fallbacks + b.counters.fallbacks,
    },
    backends: addMaps(a.backends, b.backends),
    topClasses: addMaps(a.topClasses, b.topClasses),
    latencyMs: addBins(a.latencyMs, b.latencyMs, 'latencyMs'),
    confidence: addBins(a.confidence, b.confidence, 'confidence'),
    features,
  };
}

export const bodyOf = (r: Report): MergedBody => ({
  counters: r.counters,
  backends: r.backends,
  latencyMs: r.latencyMs,
  confidence: r.confidence,
  topClasses: r.topClasses,
  features: r.features,
});
