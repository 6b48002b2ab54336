import type { BinnedCounts, FeatureAggregate } from '@edgewise/wire';
import type { Database } from './database.js';
import type { Layout } from './layout.js';
import { EXTRA_KEYS, SERIES } from './series.js';

/** One window's totals row. */
export interface WindowTotals {
  start: number;
  windowMs: number;
  reports: number;
  runs: number;
  errors: number;
  rejected: number;
  fallbacks: number;
}

/** series → key → count. Maps, never plain objects: keys come from devices. */
export type SeriesCounts = Map<string, Map<string, number>>;

/** Windows whose start lies in [from, to). */
export interface WindowRange {
  from?: number;
  to?: number;
}

const bounds = (range: WindowRange) => [range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER];

/** Every model version of an app with its report count (rolled up and pending). */
export async function readVersions(db: Database, app: string): Promise<Array<{ model: string; version: string; reports: number }>> {
  return db.query(
    `SELECT model, model_version AS version, sum(reports)::bigint AS reports FROM (
       SELECT model, model_version, reports FROM window_totals WHERE app=$1
       UNION ALL
       SELECT model, model_version, reports FROM pending_reports WHERE app=$1
     ) AS v GROUP BY model, model_version ORDER BY model, model_version`,
    [app],
  );
}

/**
 * The version's windows, oldest first: one row per window, however many reports it merged. Each
 * read adds the rolled-up rows and the version's pending rows in one statement (one snapshot): a
 * report is in exactly one of them, so reads are exact while the rollup runs.
 */
export async function readWindows(db: Database, app: string, model: string, version: string, range: WindowRange = {}): Promise<WindowTotals[]> {
  return db.query<WindowTotals>(
    `SELECT window_start AS start, max(window_ms) AS "windowMs", sum(reports)::bigint AS reports, sum(runs)::bigint AS runs,
            sum(errors)::bigint AS errors, sum(rejected)::bigint AS rejected, sum(fallbacks)::bigint AS fallbacks
     FROM (
       SELECT window_start, window_ms, reports, runs, errors, rejected, fallbacks FROM window_totals
       WHERE app=$1 AND model=$2 AND model_version=$3 AND window_start >= $4 AND window_start < $5
       UNION ALL
       SELECT window_start, window_ms, reports, runs, errors, rejected, fallbacks FROM pending_reports
       WHERE app=$1 AND model=$2 AND model_version=$3 AND window_start >= $4 AND window_start < $5
     ) AS w GROUP BY window_start ORDER BY window_start`,
    [app, model, version, ...bounds(range)],
    { name: 'edgewise-read-windows' },
  );
}

function collect(rows: Array<{ series: string; key: string; count: number }>, into: SeriesCounts = new Map()): SeriesCounts {
  for (const { series, key, count } of rows) {
    let keys = into.get(series);
    if (!keys) into.set(series, (keys = new Map()));
    keys.set(key, (keys.get(key) ?? 0) + count);
  }
  return into;
}

/**
 * Rolled-up and pending counts of one version as (window_start, layout, series, key, count); the
 * caller filters on those columns.
 */
const COUNTS = `
  SELECT window_start, layout, series, key, count FROM window_counts WHERE app=$1 AND model=$2 AND model_version=$3
  UNION ALL
  SELECT p.window_start, CASE WHEN u.series LIKE 'feature%' THEN p.feature_layout ELSE '' END, u.series, u.key, u.n
  FROM pending_reports p, unnest(p.series, p.keys, p.counts) AS u(series, key, n)
  WHERE p.app=$1 AND p.model=$2 AND p.model_version=$3`;

/**
 * Every series summed over the windows in range: the fixed ones, and features counted under the
 * registered baseline's layout (counts under an earlier layout are not mixed in).
 */
export async function readTotals(db: Database, app: string, model: string, version: string, layout: string | undefined, range: WindowRange = {}): Promise<SeriesCounts> {
  const rows = await db.query<{ series: string; key: string; count: number }>(
    `SELECT series, key, sum(count)::bigint AS count FROM (${COUNTS}) AS c
     WHERE window_start >= $4 AND window_start < $5 AND layout IN ('', $6) GROUP BY series, key`,
    [app, model, version, ...bounds(range), layout ?? ''],
    { name: 'edgewise-read-totals' },
  );
  return collect(rows);
}

/** Feature series per window, for the windows listed (drift over time). */
export async function readFeaturesPerWindow(db: Database, app: string, model: string, version: string, layout: string, starts: number[]): Promise<Map<number, SeriesCounts>> {
  const out = new Map<number, SeriesCounts>();
  if (starts.length === 0) return out;
  const rows = await db.query<{ start: number; series: string; key: string; count: number }>(
    `SELECT window_start AS start, series, key, sum(count)::bigint AS count FROM (${COUNTS}) AS c
     WHERE layout = $4 AND window_start = ANY($5::bigint[]) AND series LIKE 'feature:%' GROUP BY window_start, series, key`,
    [app, model, version, layout, starts],
    { name: 'edgewise-read-window-features' },
  );
  for (const row of rows) {
    if (!out.has(row.start)) out.set(row.start, new Map());
    collect([row], out.get(row.start));
  }
  return out;
}

/** A binned distribution from its main and extra series. */
export function binnedFrom(counts: SeriesCounts, series: string, extraSeries: string, bins: number): BinnedCounts {
  const main = counts.get(series);
  const extra = counts.get(extraSeries);
  const b: BinnedCounts = { counts: Array.from({ length: bins }, (_, i) => main?.get(String(i)) ?? 0), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
  for (const k of EXTRA_KEYS) b[k] = extra?.get(k) ?? 0;
  return b;
}

/** A count map for a JSON answer; the keys were checked at ingest (no prototype names). */
export const objectFrom = (keys: Map<string, number> | undefined): Record<string, number> => Object.fromEntries([...(keys ?? [])].sort(([a], [b]) => (a < b ? -1 : 1)));

/** The merged features of the layout that have any count in `counts`. */
export function featuresFrom(counts: SeriesCounts, layout: Layout): Record<string, FeatureAggregate> {
  const features: Record<string, FeatureAggregate> = {};
  for (const [name, f] of layout.features) {
    if (!counts.has(SERIES.feature(name)) && !counts.has(SERIES.featureExtra(name))) continue;
    features[name] =
      f.kind === 'numeric'
        ? { kind: 'numeric', ...binnedFrom(counts, SERIES.feature(name), SERIES.featureExtra(name), f.bins) }
        : { kind: 'categorical', counts: objectFrom(counts.get(SERIES.feature(name))), missing: counts.get(SERIES.featureExtra(name))?.get('missing') ?? 0 };
  }
  return features;
}

/** Every series per window (fixed ones and features under `layout`), for the windows listed. */
export async function readCountsPerWindow(db: Database, app: string, model: string, version: string, layout: string | undefined, starts: number[]): Promise<Map<number, SeriesCounts>> {
  const out = new Map<number, SeriesCounts>();
  if (starts.length === 0) return out;
  const rows = await db.query<{ start: number; series: string; key: string; count: number }>(
    `SELECT window_start AS start, series, key, sum(count)::bigint AS count FROM (${COUNTS}) AS c
     WHERE layout IN ('', $4) AND window_start = ANY($5::bigint[]) GROUP BY window_start, series, key`,
    [app, model, version, layout ?? '', starts],
    { name: 'edgewise-read-window-counts' },
  );
  for (const row of rows) {
    if (!out.has(row.start)) out.set(row.start, new Map());
    collect([row], out.get(row.start));
  }
  return out;
}

/** The named series per window in range (e.g. the shadow series). */
export async function readSeriesPerWindow(db: Database, app: string, model: string, version: string, series: readonly string[], range: WindowRange = {}): Promise<Map<number, SeriesCounts>> {
  const out = new Map<number, SeriesCounts>();
  const rows = await db.query<{ start: number; series: string; key: string; count: number }>(
    `SELECT window_start AS start, series, key, sum(count)::bigint AS count FROM (${COUNTS}) AS c
     WHERE window_start >= $4 AND window_start < $5 AND series = ANY($6::text[])
     GROUP BY window_start, series, key`,
    [app, model, version, ...bounds(range), [...series]],
    { name: 'edgewise-read-window-series' },
  );
  for (const row of rows) {
    const start = Number(row.start);
    if (!out.has(start)) out.set(start, new Map());
    collect([{ series: row.series, key: row.key, count: Number(row.count) }], out.get(start));
  }
  return out;
}
