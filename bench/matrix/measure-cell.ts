import { describeError } from '@edgewise/core';
import { benchModel } from './bench-models.js';
import type { CellResult, CellSpec } from './cell.js';
import { openRunner } from './runners.js';
import { summarize } from '../stats.js';
import { comparePaired } from './paired-stats.js';

const now = () => performance.now();

/** Warm-up rounds before timing (each runs the cell and its partner once), capped by WARMUP_MAX_MS. */
export const WARMUP_RUNS = 500;
const WARMUP_MAX_MS = 1500;

function stats(times: number[]) {
  const { median, p95, mean } = summarize(times);
  return { medianMs: median, p95Ms: p95, meanMs: mean };
}

/**
 * Measures one cell: cold load, first run, warm-up (WARMUP_RUNS rounds or 1.5 s), timed runs (until the budget or maxRuns, at least
 * 5), then a warm reload. With `pairWith`, the partner runs alternately with the primary in the same
 * page. Every run gets fresh input buffers, since worker runs transfer them away.
 */
export async function measureCell(spec: CellSpec): Promise<CellResult> {
  const model = benchModel(spec.model);
  const budget = spec.budgetMs ?? 1500;
  const maxRuns = spec.maxRuns ?? 2000;
  try {
    let t = now();
    const runner = await openRunner(model, spec);
    const coldLoadMs = now() - t;
    t = now();
    await runner.run(model.inputs());
    const firstRunMs = now() - t;
    const partner = spec.pairWith ? await openRunner(model, { ...spec, impl: spec.pairWith }) : undefined;
    // Warm-up until the JavaScript on both paths is optimised: measured in one page, the SDK's
    // overhead on MNIST over its first 1000 rounds after 3 warm-ups was +6–16 µs, against +3–5 µs
    // after 500 (V8 tiers a function up only after hundreds of calls, and the engine's WASM too).
    // Slow cells (GPU, large models) stop at the time cap instead.
    const warmupRuns = spec.warmupRuns ?? WARMUP_RUNS;
    const warmupStarted = now();
    let warmedUp = 0;
    while (warmedUp < 3 || (warmedUp < warmupRuns && now() - warmupStarted < WARMUP_MAX_MS)) {
      await runner.run(model.inputs());
      await partner?.run(model.inputs());
      warmedUp++;
    }
    const times: number[] = [];
    const partnerTimes: number[] = [];
    runner.computeTimes?.splice(0);
    const timed = async (r: typeof runner, into: number[]) => {
      const inputs = model.inputs();
      const t0 = now();
      await r.run(inputs);
      into.push(now() - t0);
    };
    const started = now();
    while (times.length < maxRuns && (times.length < 5 || now() - started < budget)) {
      // Alternating the order cancels any advantage of going first (caches, timers).
      if (partner && times.length % 2 === 1) await timed(partner, partnerTimes);
      await timed(runner, times);
      if (partner && times.length % 2 === 1) await timed(partner, partnerTimes);
    }
    await runner.dispose();
    await partner?.dispose();
    t = now();
    const again = await openRunner(model, spec);
    const warmLoadMs = now() - t;
    await again.dispose();
    return {
      spec,
      ok: true,
      ranOn: runner.ranOn,
      coldLoadMs,
      firstRunMs,
      warmLoadMs,
      warmupRuns: warmedUp,
      runs: times.length,
      ...stats(times),
      ...(runner.computeTimes?.length ? { workerComputeMedianMs: summarize(runner.computeTimes).median } : {}),
      ...(partner ? { pair: { impl: spec.pairWith!, ...stats(partnerTimes), comparison: comparePaired(times, partnerTimes) } } : {}),
    };
  } catch (error) {
    return { spec, ok: false, error: describeError(error) };
  }
}
