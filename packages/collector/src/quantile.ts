/**
 * The q-quantile of a histogram whose bin i holds values in (edges[i-1], edges[i]] (bin 0 from
 * `lowest`, the last bin above the last edge), interpolated linearly inside the bin as Prometheus's
 * histogram_quantile does, so the dashboard and a PromQL query over /metrics agree. A quantile in the
 * overflow bin is reported as the last edge (a lower bound). Undefined for an empty histogram.
 *
 * @example
 * binnedQuantile([0, 10, 0], [1, 2], 0.5) // 1.5
 */
export function binnedQuantile(counts: readonly number[], edges: readonly number[], q: number, lowest = 0): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1]; received ${q}`);
  const total = counts.reduce((a, c) => a + c, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && below + c >= rank) {
      if (i >= edges.length) return edges[edges.length - 1];
      const lo = i === 0 ? lowest : edges[i - 1]!;
      return lo + (edges[i]! - lo) * ((rank - below) / c);
    }
    below += c;
  }
  return edges[edges.length - 1];
}

/** Mean of a binned distribution from bin midpoints (the overflow bin counted at the last edge). */
export function binnedMean(counts: readonly number[], edges: readonly number[], lowest = 0): number | undefined {
  let total = 0;
  let sum = 0;
  counts.forEach((c, i) => {
    const hi = edges[Math.min(i, edges.length - 1)]!;
    const lo = i === 0 ? lowest : i >= edges.length ? hi : edges[i - 1]!;
    total += c;
    sum += c * ((lo + hi) / 2);
  });
  return total > 0 ? sum / total : undefined;
}
