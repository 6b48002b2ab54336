import { LATENCY_EDGES_MS, SHADOW_DIFF_EDGES, type BinnedCounts } from '@edgewise/wire';
import { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig, CollectorPrivacy } from './config.js';
import { closedWindowReleases } from './release-store.js';
import { projectNonNegative } from './window-release.js';
import type { Database } from './database.js';
import { binnedFrom, readSeriesPerWindow, readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';

const SHADOW_SERIES: readonly string[] = [SERIES.shadow, ...[SERIES.shadowDiff, SERIES.shadowActiveLatency, SERIES.shadowCandidateLatency].flatMap((s) => [s, `${s}-extra`])];

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
  config: Pick<CollectorConfig, 'k'> & Partial<Pick<CollectorConfig, 'privacy'>>,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  if (config.privacy) return privateShadowFor(db, config.privacy, config.k, app, model, version, range, options);
  const [windows, series] = await Promise.all([readWindows(db, app, model, version, range), readSeriesPerWindow(db, app, model, version, SHADOW_SERIES, range)]);
  const out = [];
  let withheld = 0;
  for (const w of windows) {
    const counts = series.get(Number(w.start));
    if (!counts) continue;
    if (w.reports < config.k) {
      withheld++;
      continue;
    }
    out.push(shadowPoint({ bucket: w.start, windowMs: w.windowMs, reports: w.reports }, counts));
  }
  return { model, version, withheldWindows: withheld, windows: out };
}

/** Privacy on: from the stored noisy releases of closed windows, projected onto non-negative counts. */
async function privateShadowFor(db: Database, privacy: CollectorPrivacy, k: number, app: string, model: string, version: string, range: WindowRange, options: { registry?: BaselineRegistry; now?: number }) {
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: 1024 });
  const registered = await registry.get(app, model, version);
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range, options.now ?? Date.now());
  const out = [];
  for (const r of releases) {
    if (r.withheld || !r.series[SERIES.shadow]) continue;
    const counts: SeriesCounts = new Map(
      Object.entries(r.series)
        .filter(([name]) => SHADOW_SERIES.includes(name))
        .map(([name, keys]) => {
          const names = Object.keys(keys);
          const values = projectNonNegative(names.map((n) => keys[n]!));
          return [name, new Map(names.map((n, i) => [n, values[i]!]))];
        }),
    );
    out.push(shadowPoint({ bucket: r.start, windowMs: r.windowMs, reports: r.devices }, counts));
  }
  return { model, version, withheldWindows: 0, windows: out, note: 'privacy on: noisy releases of closed windows only; withheld windows are not shown' };
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
