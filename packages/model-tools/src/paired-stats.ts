/**
 * Paired comparison of two implementations timed in alternating rounds in one page: the
 * interquartile mean (IQM: the mean of the middle half, robust to GC pauses and scheduler tails) of
 * each, their ratio and difference, with 95 % bootstrap intervals from resampling the rounds (so a
 * disturbance that hit both sides of one round stays paired).
 */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

export interface PairedComparison {
  rounds: number;
  measuredIqmMs: number;
  baselineIqmMs: number;
  /** measured ÷ baseline IQM; 1.00 = no overhead. */
  ratio: Interval;
  /** measured − baseline IQM, in ms. */
  deltaMs: Interval;
}

export function iqm(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const lo = Math.floor(sorted.length / 4);
  const hi = Math.max(lo + 1, Math.ceil((sorted.length * 3) / 4));
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += sorted[i]!;
  return sum / (hi - lo);
}

/** A small seeded generator, so a report's intervals are reproducible from its samples. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;

export function comparePaired(measured: readonly number[], baseline: readonly number[], resamples = 1000): PairedComparison {
  const n = Math.min(measured.length, baseline.length);
  const m = measured.slice(0, n);
  const b = baseline.slice(0, n);
  const random = mulberry32(n * 7919 + 17);
  const ratios: number[] = [];
  const deltas: number[] = [];
  const ms = new Array<number>(n);
  const bs = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      ms[i] = m[k]!;
      bs[i] = b[k]!;
    }
    const [mi, bi] = [iqm(ms), iqm(bs)];
    ratios.push(mi / bi);
    deltas.push(mi - bi);
  }
  ratios.sort((x, y) => x - y);
  deltas.sort((x, y) => x - y);
  const [measuredIqmMs, baselineIqmMs] = [iqm(m), iqm(b)];
  return {
    rounds: n,
    measuredIqmMs,
    baselineIqmMs,
    ratio: { value: measuredIqmMs / baselineIqmMs, lo: percentile(ratios, 0.025), hi: percentile(ratios, 0.975) },
    deltaMs: { value: measuredIqmMs - baselineIqmMs, lo: percentile(deltas, 0.025), hi: percentile(deltas, 0.975) },
  };
}
