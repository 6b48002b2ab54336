import type { PairedComparison } from './paired-stats.js';
import type { CellResult, CellSpec } from './cell.js';

export interface OverheadRow {
  model: string;
  backend: string;
  threads: number;
  context: CellSpec['context'];
  impl: CellSpec['impl'];
  versus: CellSpec['impl'];
  /** The partner's median per run, from the same interleaved runs. */
  baselineMs: number;
  measuredMs: number;
  /** measured / baseline medians: 1.00 means no overhead. */
  ratio: number;
  /** IQM ratio and difference with 95 % bootstrap intervals, over the interleaved rounds. */
  comparison: PairedComparison;
  /** Cold load of this impl / cold load of the partner's own cell (separate fresh contexts), when both ran. */
  coldLoadRatio?: number;
}

const key = (s: CellSpec, impl: string) => `${s.model}|${s.backend}|${s.threads}|${s.context}|${impl}`;

/** Overhead rows from paired cells of `impl` (measured against their `pairWith` partner). */
export function overheads(results: CellResult[], impl: CellSpec['impl']): OverheadRow[] {
  const alone = new Map(results.filter((r) => r.ok && !r.spec.pairWith).map((r) => [key(r.spec, r.spec.impl), r]));
  return results
    .filter((r) => r.ok && r.spec.impl === impl && r.pair)
    .map((r) => {
      const partnerCold = alone.get(key(r.spec, r.pair!.impl))?.coldLoadMs;
      return {
        model: r.spec.model,
        backend: r.spec.backend,
        threads: r.spec.threads,
        context: r.spec.context,
        impl,
        versus: r.pair!.impl,
        baselineMs: r.pair!.medianMs,
        measuredMs: r.medianMs!,
        ratio: r.medianMs! / r.pair!.medianMs,
        comparison: r.pair!.comparison,
        ...(partnerCold ? { coldLoadRatio: r.coldLoadMs! / partnerCold } : {}),
      };
    });
}


/** Per model and context, the backend configuration Edgewise ran fastest on. */
export function fastestBackends(results: CellResult[]): Array<{ model: string; context: string; backend: string; medianMs: number }> {
  const best = new Map<string, CellResult>();
  for (const r of results) {
    if (!r.ok || r.spec.impl !== 'edgewise') continue;
    const k = `${r.spec.model}|${r.spec.context}`;
    if (!best.has(k) || r.medianMs! < best.get(k)!.medianMs!) best.set(k, r);
  }
  return [...best.values()].map((r) => ({
    model: r.spec.model,
    context: r.spec.context,
    backend: r.spec.backend === 'wasm' ? `wasm×${r.spec.threads}` : r.spec.backend,
    medianMs: r.medianMs!,
  }));
}
