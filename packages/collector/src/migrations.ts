import type { Database, Query } from './database.js';
import { CollectorError } from './errors.js';
import { importLegacyWindows } from './legacy-import.js';

/** One schema change. Applied once, in version order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  up(q: Query): Promise<void>;
}

/**
 * The additive schema. Ingest appends; SQL adds. Nothing is read, merged and written back:
 * - report_ids: one row per counted report, (app, id) unique: a resent report is a conflict (409).
 * - pending_reports: the accepted reports, written in the same statement as their ids: one row per
 *   batch and window (the batch's reports for that window summed; `reports` says how many), counts
 *   as parallel arrays series[i], keys[i], counts[i]. Appends only: concurrent writers share no row.
 * - window_totals / window_counts: the rollups. A rollup statement moves pending rows into them
 *   (DELETE … RETURNING feeding INSERT … ON CONFLICT DO UPDATE SET count = count + EXCLUDED.count),
 *   so each report is added exactly once, in the transaction that deletes it from pending.
 *   window_totals: per app × model × version × window (window_start a multiple of window_ms):
 *   reports and counters. window_counts: per window × layout × series × key, one count. Series:
 *   'latency', 'confidence' (key: bin index), 'latency-extra', 'confidence-extra' (missing, nan,
 *   belowRange, aboveRange), 'backends', 'classes', 'feature:<name>' (bin index or category),
 *   'feature-extra:<name>'. layout: '' for the fixed series, else the hash of the baseline layout
 *   the counts were checked against, so replacing a baseline never mixes bins of two layouts.
 * - window_releases: one computed release per closed window (written by the release step).
 * - rate_counters: reports per app per minute, shared by every process.
 * Reads add the rollups and the (few) pending rows of the version in one statement: exact.
 */
const ADDITIVE_SCHEMA = `
CREATE TABLE report_ids (
  app text NOT NULL,
  id uuid NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (app, id)
);
CREATE INDEX report_ids_received_at ON report_ids USING brin (received_at);
CREATE TABLE pending_reports (
  seq bigserial PRIMARY KEY,
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  window_start bigint NOT NULL,
  window_ms bigint NOT NULL,
  reports bigint NOT NULL,
  runs bigint NOT NULL,
  errors bigint NOT NULL,
  rejected bigint NOT NULL,
  fallbacks bigint NOT NULL,
  feature_layout text NOT NULL,
  series text[] NOT NULL,
  keys text[] NOT NULL,
  counts bigint[] NOT NULL
);
CREATE INDEX pending_reports_version ON pending_reports (app, model, model_version);
CREATE TABLE window_totals (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  window_start bigint NOT NULL,
  window_ms bigint NOT NULL,
  reports bigint NOT NULL,
  runs bigint NOT NULL,
  errors bigint NOT NULL,
  rejected bigint NOT NULL,
  fallbacks bigint NOT NULL,
  PRIMARY KEY (app, model, model_version, window_start)
);
CREATE TABLE window_counts (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  window_start bigint NOT NULL,
  layout text NOT NULL,
  series text NOT NULL,
  key text NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (app, model, model_version, window_start, layout, series, key)
);
CREATE TABLE window_releases (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  window_start bigint NOT NULL,
  released_at bigint NOT NULL,
  release jsonb NOT NULL,
  PRIMARY KEY (app, model, model_version, window_start)
);
CREATE TABLE rate_counters (
  app text NOT NULL,
  minute bigint NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (app, minute)
);
CREATE TABLE IF NOT EXISTS baselines (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  baseline jsonb NOT NULL,
  PRIMARY KEY (app, model, model_version)
);
ALTER TABLE baselines ADD COLUMN IF NOT EXISTS layout_hash text;
ALTER TABLE baselines ADD COLUMN IF NOT EXISTS registered_at bigint;
`;

/**
 * alert_firings: one row per firing of a rule on a version, keyed by its first window over the
 * threshold, so concurrent evaluators insert it once and only the inserter notifies (alerts.ts).
 */
const ALERT_SCHEMA = `
CREATE TABLE alert_firings (
  app text NOT NULL,
  rule text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  since bigint NOT NULL,
  last_window bigint NOT NULL,
  value double precision NOT NULL,
  summary text NOT NULL,
  fired_at bigint NOT NULL,
  delivered_at bigint,
  delivery_status integer,
  resolved_at bigint,
  PRIMARY KEY (app, rule, model, model_version, since)
);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'additive window rows', up: (q) => q(ADDITIVE_SCHEMA).then(() => undefined) },
  { version: 2, name: 'import windows merged by collector 0.1', up: importLegacyWindows },
  // Privacy (issue 14): one row per device token per window, so k counts devices and a token is
  // used once per window; releases are keyed by window and read back as stored.
  {
    version: 3,
    name: 'window device tokens',
    up: (q) =>
      q(`CREATE TABLE window_tokens (
           app text NOT NULL, model text NOT NULL, model_version text NOT NULL, window_start bigint NOT NULL, token text NOT NULL,
           PRIMARY KEY (app, model, model_version, window_start, token)
         )`).then(() => undefined),
  },
  { version: 4, name: 'alert firings', up: (q) => q(ALERT_SCHEMA).then(() => undefined) },
];

// Any constant shared by every collector process; "Edgewise" in ASCII, folded into an int4.
const LOCK_KEY = 0x45646777;

/**
 * Brings the schema up to date. Safe when several processes start at once: a session-level
 * advisory lock lets one migrate while the others wait, then find nothing left to do.
 *
 * @returns the versions this call applied
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.session(async ({ query: q, transaction }) => {
    await q('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await q(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      const done = new Set((await q<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
      const known = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new CollectorError('E_CONFIG', `the database schema is at version ${newest}, newer than this collector knows (${known}): run the newer collector`);
      }
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await transaction(async (tq) => {
          await m.up(tq);
          await tq('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await q('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    }
  });
}
