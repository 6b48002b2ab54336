import { LATENCY_EDGES_MS, SHADOW_DIFF_EDGES, type BinnedCounts } from '@edgewise/wire';
import type { BaselineRegistry } from './baseline-registry.js';
import type { Database } from './database.js';
import { SHADOW_SERIES } from './release-domain.js';
import { binnedFrom, type SeriesCounts, type WindowRange } from './rollups.js';
import { exactWindowPoints, releasedWindowPoints, type PointReadConfig } from './window-points.js';
import { SERIES } from './series.js';

/** Mean of binned values, each bin at its upper edge (the last bin at the last edge): an upper estimate. */
function binnedMeanUpper(b: BinnedCounts, edges: readonly number[]): number | null {
  const n = b.counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  return b.counts.reduce((s, c, i) => s + c * (edges[Math.min(i, edges.length - 1)] ?? 0), 0) / n;
}

/**
 * Shadow evaluation over time of one model version (the active one): per window, candidate runs
 * compared, top-1 agreement, errors, drops, the distribution of mean output difference, and both
 * latency distributions with a ratio of their binned means. Windows with fewer than k
 * contributing reports are withheld, as drift's and accuracy's are.
 *
 * @example
 * const { windows } = await shadowFor(db, config, 'demo', 'mnist', '1.1.0');
 * windows.map((w) => w.agreement); // [0.995, 0.993]
 */
export async function shadowFor(
  db: Database,
  config: PointReadConfig,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  const read = { series: SHADOW_SERIES, present: SERIES.shadow, point: shadowPoint };
  if (!config.privacy) {
    const { withheldWindows, points } = await exactWindowPoints(db, config.k, app, model, version, range, read);
    return { model, version, withheldWindows, windows: points };
  }
  const windows = await releasedWindowPoints(db, config.privacy, config.k, app, model, version, range, options, read);
  return { model, version, withheldWindows: 0, windows, note: 'privacy on: noisy releases of closed windows only; withheld windows are not shown' };
}

function shadowPoint(point: { bucket: number; windowMs: number; reports: number }, counts: SeriesCounts) {
  const c = counts.get(SERIES.shadow) ?? new Map<string, number>();
  const get = (key: string) => c.get(key) ?? 0;
  const diff = binnedFrom(counts, SERIES.shadowDiff, `${SERIES.shadowDiff}-extra`, SHADOW_DIFF_EDGES.length + 1);
  const active = binnedFrom(counts, SERIES.shadowActiveLatency, `${SERIES.shadowActiveLatency}-extra`, LATENCY_EDGES_MS.length + 1);
  const candidate = binnedFrom(counts, SERIES.shadowCandidateLatency, `${SERIES.shadowCandidateLatency}-extra`, LATENCY_EDGES_MS.length + 1);
  const activeMean = binnedMeanUpper(active, LATENCY_EDGES_MS);
  const candidateMean = binnedMeanUpper(candidate, LATENCY_EDGES_MS);
  return {
    ...point,
    runs: get('runs'),
    items: get('items'),
    agreed: get('agreed'),
    agreement: get('items') > 0 ? get('agreed') / get('items') : null,
    errors: get('errors'),
    dropped: get('dropped'),
    // Upper edge of each difference bin with its count.
    absDiff: diff.counts.map((n, i) => ({ upTo: SHADOW_DIFF_EDGES[i] ?? null, runs: n })),
    activeLatencyMs: active.counts,
    candidateLatencyMs: candidate.counts,
    /** Ratio of binned mean latencies (each bin at its upper edge): coarse, but from counts alone. */
    latencyRatio: activeMean && candidateMean !== null ? candidateMean / activeMean : null,
  };
}

/**
 * The shadow figures a fleet chart draws per window (WindowPoint.other): top-1 agreement and the
 * candidate's error count; none when no shadow ran. `project` makes noisy counts non-negative.
 */
export function shadowOther(counts: SeriesCounts, project: (values: readonly number[]) => number[] = (v) => [...v]): Record<string, number> {
  const c = counts.get(SERIES.shadow);
  if (!c) return {};
  const [items, agreed, errors] = project([c.get('items') ?? 0, c.get('agreed') ?? 0, c.get('errors') ?? 0]) as [number, number, number];
  const out: Record<string, number> = { 'shadow-errors': errors };
  if (items > 0) out['shadow-agreement'] = Math.min(1, agreed / items);
  return out;
}
