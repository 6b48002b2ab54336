import type { BinnedCounts, Report } from '@edgewise/wire';

export interface PrivacyOptions {
  /** Per-device contribution bound: a report counts at most this many runs (counts scaled down). */
  maxRunsPerReport?: number;
  /** Laplace noise on every count with scale 1/epsilon (ε-differential privacy per count). */
  epsilon?: number;
  /** Random source in [0, 1); tests pass a seeded one. */
  random?: () => number;
}

function laplace(scale: number, random: () => number): number {
  const u = random() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** Applies the contribution bound, then noise, to every count of a report body (counts stay ≥ 0 integers). */
export function protectCounts(report: Report, options: PrivacyOptions): Report {
  const random = options.random ?? Math.random;
  const scale = options.maxRunsPerReport && report.counters.runs > options.maxRunsPerReport ? options.maxRunsPerReport / report.counters.runs : 1;
  const noisy = (n: number) => {
    let v = n * scale;
    if (options.epsilon) v += laplace(1 / options.epsilon, random);
    return Math.max(0, Math.round(v));
  };
  const map = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, noisy(v)]));
  const bins = (b: BinnedCounts): BinnedCounts => ({
    counts: b.counts.map(noisy),
    missing: noisy(b.missing),
    nan: noisy(b.nan),
    belowRange: noisy(b.belowRange),
    aboveRange: noisy(b.aboveRange),
  });
  const latencyMs = bins(report.latencyMs);
  const backends = map(report.backends);
  // Counts are noised one by one, so their sums drift from `runs`; the collector refuses a report
  // whose per-run series (one latency, one backend per run) count more than its runs. Raising runs
  // to those sums keeps the report consistent (runs is noisy anyway).
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const runs = Math.max(noisy(report.counters.runs), total(latencyMs.counts) + latencyMs.missing + latencyMs.nan, latencyMs.belowRange, latencyMs.aboveRange, total(Object.values(backends)));
  return {
    ...report,
    counters: { runs, errors: noisy(report.counters.errors), rejected: noisy(report.counters.rejected), fallbacks: noisy(report.counters.fallbacks) },
    backends,
    topClasses: map(report.topClasses),
    latencyMs,
    confidence: bins(report.confidence),
    ...(report.labels && { labels: { confusion: map(report.labels.confusion), labeled: bins(report.labels.labeled), correct: bins(report.labels.correct) } }),
    features: Object.fromEntries(
      Object.entries(report.features).map(([k, f]) => [k, f.kind === 'numeric' ? { kind: 'numeric', ...bins(f) } : { kind: 'categorical', counts: map(f.counts), missing: noisy(f.missing) }]),
    ),
  };
}
