import type { CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import type { Layout } from './layout.js';
import { readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { releaseWindow, type WindowRelease } from './window-release.js';

/**
 * Beyond releaseDelayMs, a little longer before releasing: a report accepted just before the
 * delay ran out (see checkPrivacy) has committed by then, even on another process.
 */
export const RELEASE_MARGIN_MS = 30_000;

const bounds = (range: WindowRange) => [range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER];

/** Exact counts of one window (rolled up and pending, in one statement), fixed series and the layout's features. */
async function readWindowCounts(db: Database, app: string, model: string, version: string, start: number, layout: string): Promise<SeriesCounts> {
  const rows = await db.query<{ series: string; key: string; count: number }>(
    `SELECT series, key, sum(count)::bigint AS count FROM (
       SELECT layout, series, key, count FROM window_counts WHERE app=$1 AND model=$2 AND model_version=$3 AND window_start=$4
       UNION ALL
       SELECT CASE WHEN u.series LIKE 'feature%' THEN p.feature_layout ELSE '' END, u.series, u.key, u.n
       FROM pending_reports p, unnest(p.series, p.keys, p.counts) AS u(series, key, n)
       WHERE p.app=$1 AND p.model=$2 AND p.model_version=$3 AND p.window_start=$4
     ) AS c WHERE layout IN ('', $5) GROUP BY series, key`,
    [app, model, version, start, layout],
    { name: 'edgewise-read-window-counts' },
  );
  const out: SeriesCounts = new Map();
  for (const { series, key, count } of rows) {
    if (!out.has(series)) out.set(series, new Map());
    out.get(series)!.set(key, Number(count));
  }
  return out;
}

async function storedReleases(db: Database, app: string, model: string, version: string, range: WindowRange): Promise<WindowRelease[]> {
  const rows = await db.query<{ release: WindowRelease | string }>(
    `SELECT release FROM window_releases WHERE app=$1 AND model=$2 AND model_version=$3 AND window_start >= $4 AND window_start < $5 ORDER BY window_start`,
    [app, model, version, ...bounds(range)],
  );
  return rows.map((r) => (typeof r.release === 'string' ? (JSON.parse(r.release) as WindowRelease) : r.release));
}

/**
 * The releases of every closed window of a version in range, oldest first. A closed window
 * without a release is released now, once: the first writer's release is kept (ON CONFLICT DO
 * NOTHING) and every read, on any process, serves the stored one, so noise is never redrawn and
 * two reads never differ by a report (reports for a released window are refused at ingest).
 * Open windows are not released at all.
 */
export async function closedWindowReleases(
  db: Database,
  privacy: CollectorPrivacy,
  k: number,
  app: string,
  model: string,
  version: string,
  layout: Layout | undefined,
  range: WindowRange = {},
  now = Date.now(),
): Promise<WindowRelease[]> {
  const [windows, stored] = await Promise.all([readWindows(db, app, model, version, range), storedReleases(db, app, model, version, range)]);
  const done = new Set(stored.map((r) => r.start));
  const due = windows.filter((w) => !done.has(Number(w.start)) && Number(w.start) + Number(w.windowMs) + privacy.releaseDelayMs + RELEASE_MARGIN_MS <= now);
  if (due.length === 0) return stored;
  for (const w of due) {
    const start = Number(w.start);
    const [counts, [tokens]] = await Promise.all([
      readWindowCounts(db, app, model, version, start, layout?.hash ?? ''),
      db.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM window_tokens WHERE app=$1 AND model=$2 AND model_version=$3 AND window_start=$4`, [app, model, version, start]),
    ]);
    const exact = { counters: { runs: Number(w.runs), errors: Number(w.errors), rejected: Number(w.rejected), fallbacks: Number(w.fallbacks) }, counts, devices: Number(tokens?.n ?? 0) };
    const release = releaseWindow({ start, windowMs: Number(w.windowMs) }, exact, layout, privacy, k);
    await db.query(
      `INSERT INTO window_releases (app, model, model_version, window_start, released_at, release) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (app, model, model_version, window_start) DO NOTHING`,
      [app, model, version, start, now, JSON.stringify(release)],
    );
  }
  return storedReleases(db, app, model, version, range);
}
