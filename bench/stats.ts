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
