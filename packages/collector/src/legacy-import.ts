import { randomUUID } from 'node:crypto';
import { parseBaseline } from '@edgewise/drift';
import { isValidKey, type Report } from '@edgewise/wire';
import { reportSchema } from '@edgewise/wire/schema';
import type { Query } from './database.js';
import { layoutOf, type Layout } from './layout.js';
import { checkReport, type SeriesObject } from './report-check.js';

/** Collector 0.1 merged per hour; its rows carry no window length. */
const LEGACY_WINDOW_MS = 3_600_000;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

type LegacyBody = Omit<Report, 'v' | 'id' | 'model' | 'modelVersion' | 'window' | 'baseline'>;

/** Keeps the entries of a count map whose keys pass today's key rules (old rows may hold anything). */
const clean = (m: unknown) => Object.fromEntries(Object.entries((m ?? {}) as Record<string, number>).filter(([k]) => isValidKey(k)));

/** Parallel arrays series[i], keys[i], counts[i], as pending_reports holds them. */
function flatten(counts: SeriesObject): [string[], string[], number[]] {
  const out: [string[], string[], number[]] = [[], [], []];
  for (const series in counts) {
    for (const key in counts[series]) {
      out[0].push(series);
      out[1].push(key);
      out[2].push(counts[series]![key]!);
    }
  }
  return out;
}

/**
 * Migration 2: collector 0.1 kept one JSON body per window (`windows`) and every report id
 * (`reports`). Their counts become rows, checked by today's rules: keys that are not valid are
 * dropped, features are kept only where they fit the registered baseline's layout. The old tables
 * are renamed legacy_windows / legacy_reports, not dropped (drop them once satisfied).
 */
export async function importLegacyWindows(q: Query): Promise<void> {
  const [found] = await q<{ windows: string | null }>(`SELECT to_regclass('windows')::text AS windows`, []);
  if (!found?.windows) return;
  const layouts = new Map<string, { baseline: ReturnType<typeof parseBaseline>; layout: Layout }>();
  for (const b of await q<{ app: string; model: string; model_version: string; baseline: unknown }>('SELECT app, model, model_version, baseline FROM baselines', [])) {
    try {
      const baseline = parseBaseline(typeof b.baseline === 'string' ? JSON.parse(b.baseline) : b.baseline);
      const layout = layoutOf(baseline, UNBOUNDED);
      layouts.set(JSON.stringify([b.app, b.model, b.model_version]), { baseline, layout });
      await q('UPDATE baselines SET layout_hash = $4 WHERE app = $1 AND model = $2 AND model_version = $3', [b.app, b.model, b.model_version, layout.hash]);
    } catch {
      // Left without a layout: its reports' features are ignored until it is registered again.
    }
  }
  const limits = { windowMs: LEGACY_WINDOW_MS, retentionMs: UNBOUNDED, maxRunsPerReport: UNBOUNDED, maxItemsPerRun: UNBOUNDED, maxClockSkewMs: UNBOUNDED, maxClasses: UNBOUNDED };
  const rows = await q<{ app: string; model: string; model_version: string; bucket: number; reports: number; body: LegacyBody | string }>(
    'SELECT app, model, model_version, bucket::bigint AS bucket, reports, body FROM windows',
    [],
  );
  for (const row of rows) {
    const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as LegacyBody;
    const features = Object.fromEntries(
      Object.entries(body.features ?? {})
        .filter(([name]) => isValidKey(name))
        .map(([name, f]) => [name, f.kind === 'categorical' ? { ...f, counts: clean(f.counts) } : f]),
    );
    const candidate = { v: 1, id: randomUUID(), model: row.model, modelVersion: row.model_version, window: { start: Number(row.bucket), end: Number(row.bucket) }, ...body, backends: clean(body.backends), topClasses: clean(body.topClasses), features };
    const parsed = reportSchema.safeParse(candidate);
    if (!parsed.success || !isValidKey(row.model) || !isValidKey(row.model_version)) continue;
    const registered = layouts.get(JSON.stringify([row.app, row.model, row.model_version]));
    let additions;
    try {
      additions = checkReport(parsed.data, row.app, registered, limits, Date.now());
    } catch {
      additions = checkReport({ ...parsed.data, features: {} }, row.app, undefined, limits, Date.now());
    }
    // As one pending row carrying the window's report count: the next rollup adds it like any other.
    await q(
      `INSERT INTO pending_reports (app, model, model_version, window_start, window_ms, reports, runs, errors, rejected, fallbacks, feature_layout, series, keys, counts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [row.app, row.model, row.model_version, additions.windowStart, LEGACY_WINDOW_MS, row.reports, additions.runs, additions.errors, additions.rejected, additions.fallbacks, additions.featureLayout, ...flatten(additions.counts)],
    );
  }
  if ((await q<{ reports: string | null }>(`SELECT to_regclass('reports')::text AS reports`, []))[0]?.reports) {
    await q('INSERT INTO report_ids (app, id, received_at) SELECT app, id, received_at FROM reports ON CONFLICT DO NOTHING', []);
    await q('ALTER TABLE reports RENAME TO legacy_reports', []);
  }
  await q('ALTER TABLE windows RENAME TO legacy_windows', []);
}
