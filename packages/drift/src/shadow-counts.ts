import type { ShadowOutcome, ShadowSummary } from '@edgewise/core';
import { LATENCY_EDGES_MS, SHADOW_DIFF_EDGES, type BinnedCounts, type ShadowCounts } from '@edgewise/wire';
import { binIndex } from './numeric-sketch.js';

const emptyBins = (n: number): BinnedCounts => ({ counts: new Array<number>(n).fill(0), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
export const emptyShadowCounts = (): ShadowCounts => ({
  counters: { runs: 0, items: 0, agreed: 0, errors: 0, dropped: 0 },
  absDiff: emptyBins(SHADOW_DIFF_EDGES.length + 1),
  activeLatencyMs: emptyBins(LATENCY_EDGES_MS.length + 1),
  candidateLatencyMs: emptyBins(LATENCY_EDGES_MS.length + 1),
});

const bin = (bins: BinnedCounts, edges: ArrayLike<number>, v: number) => {
  if (Number.isNaN(v)) bins.nan++;
  else bins.counts[binIndex(edges, v)]!++;
};

/**
 * A shadow tally: the counts that may leave the device (bins only), and exact sums that stay on it
 * for health() (mean difference and latencies are values, not counts).
 */
export class ShadowTally {
  counts = emptyShadowCounts();
  // absDiff sums only finite differences (absDiffRuns of them): one NaN or incomparable candidate
  // output would otherwise make the mean NaN or Infinity for good. Those runs show in the bins.
  private sums = { absDiff: 0, absDiffRuns: 0, activeMs: 0, candidateMs: 0 };

  add(outcome: ShadowOutcome): void {
    const c = this.counts.counters;
    const b = this.counts;
    if (outcome.kind === 'error') return void c.errors++;
    if (outcome.kind === 'dropped') return void c.dropped++;
    c.runs++;
    c.items += outcome.items;
    c.agreed += outcome.agreed;
    bin(b.absDiff, SHADOW_DIFF_EDGES, outcome.meanAbsDiff);
    bin(b.activeLatencyMs, LATENCY_EDGES_MS, outcome.activeMs);
    bin(b.candidateLatencyMs, LATENCY_EDGES_MS, outcome.candidateMs);
    if (Number.isFinite(outcome.meanAbsDiff)) {
      this.sums.absDiff += outcome.meanAbsDiff;
      this.sums.absDiffRuns++;
    }
    this.sums.activeMs += outcome.activeMs;
    this.sums.candidateMs += outcome.candidateMs;
  }

  get empty(): boolean {
    const c = this.counts.counters;
    return c.runs === 0 && c.errors === 0 && c.dropped === 0;
  }

  summary(): ShadowSummary {
    const { runs, items, agreed, errors, dropped } = this.counts.counters;
    const per = (x: number) => (runs === 0 ? NaN : x / runs);
    return {
      runs,
      items,
      agreed,
      agreement: items === 0 ? NaN : agreed / items,
      meanAbsDiff: this.sums.absDiffRuns === 0 ? NaN : this.sums.absDiff / this.sums.absDiffRuns,
      activeMs: per(this.sums.activeMs),
      candidateMs: per(this.sums.candidateMs),
      latencyRatio: this.sums.activeMs > 0 ? this.sums.candidateMs / this.sums.activeMs : NaN,
      errors,
      dropped,
    };
  }

  /** Adds another tally (a snapshot restored from an earlier worker). */
  merge(other: { counts: ShadowCounts; sums: { absDiff: number; absDiffRuns?: number; activeMs: number; candidateMs: number } }): void {
    addShadowCounts(this.counts, other.counts);
    this.sums.absDiff += other.sums.absDiff;
    // A snapshot from before absDiffRuns existed summed every run's difference.
    this.sums.absDiffRuns += other.sums.absDiffRuns ?? other.counts.counters.runs;
    this.sums.activeMs += other.sums.activeMs;
    this.sums.candidateMs += other.sums.candidateMs;
  }

  toJSON() {
    return { counts: this.counts, sums: this.sums };
  }
}

export function addShadowCounts(into: ShadowCounts, from: ShadowCounts): void {
  for (const key of ['runs', 'items', 'agreed', 'errors', 'dropped'] as const) into.counters[key] += from.counters[key];
  for (const key of ['absDiff', 'activeLatencyMs', 'candidateLatencyMs'] as const) {
    from[key].counts.forEach((n, i) => (into[key].counts[i]! += n));
    into[key].nan += from[key].nan;
  }
}
