/** Timing helpers shared by the benchmarks: warm up, then report the median and p95 of N runs. */
export async function timeRuns(runs: number, warmup: number, fn: () => Promise<unknown> | unknown): Promise<{ median: number; p95: number; mean: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)]!,
    p95: times[Math.floor(times.length * 0.95)]!,
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

export const fmt = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;
