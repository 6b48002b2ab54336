/** Timing helpers shared by the benchmarks: warm up, then report the median and p95 of N runs. */
export async function timeRuns(runs: number, warmup: number, fn: () => Promise<unknown> | unknown): Promise<{ median: number; p95: number; mean: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return summarize(times);
}

/** Median, p95 and mean of a list of times (ms). */
export function summarize(times: readonly number[]): { median: number; p95: number; mean: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)]!,
    p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export const fmt = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** 95% bootstrap interval of a statistic (fixed seed: reruns of the same data give the same interval). */
function bootstrapCi(xs: readonly number[], statistic: (xs: readonly number[]) => number, resamples: number): [number, number] {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: resamples }, () => statistic(Array.from({ length: xs.length }, () => xs[Math.floor(random() * xs.length)]!)));
  values.sort((a, b) => a - b);
  return [values[Math.floor(resamples * 0.025)]!, values[Math.floor(resamples * 0.975)]!];
}

/** 95% bootstrap interval of the median. */
export const bootstrapMedianCi = (xs: readonly number[], resamples = 1000) => bootstrapCi(xs, median, resamples);

/** 95% bootstrap interval of the mean: what a cost paid now and then in a batch adds per run. */
export const bootstrapMeanCi = (xs: readonly number[], resamples = 1000) => bootstrapCi(xs, mean, resamples);
