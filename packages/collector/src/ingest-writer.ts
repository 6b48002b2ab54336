import type { Database } from './database.js';
import type { DatabaseUnavailableError } from './errors.js';
import type { ReportAdditions } from './report-check.js';

/** 'token-reused': a second report with a token already counted in that window (one device, one report per window). */
export type WriteOutcome = 'stored' | 'duplicate' | 'token-reused';

/** SQLSTATEs worth retrying at once: the transaction lost to a concurrent one. */
const CONFLICT_STATES = new Set(['40P01', '40001']);
const MAX_CONFLICT_RETRIES = 5;

/**
 * One statement, so one implicit transaction: the batch's ids and its pending rows commit together
 * or not at all. Both are appends: concurrent batches share no row (the rollup adds pending rows
 * into the window rollups later, see rollup.ts). report_ids has no ON CONFLICT on purpose: a
 * resent id fails the statement (23505) and nothing of the batch is kept; the caller learns which
 * ids exist and writes the rest again.
 */
const WRITE_SQL = `
WITH ids AS (
  INSERT INTO report_ids (app, id, received_at)
  SELECT a, i, $3::bigint FROM unnest($1::text[], $2::uuid[]) AS t(a, i)
), tokens AS (
  INSERT INTO window_tokens (app, model, model_version, window_start, token)
  SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
)
INSERT INTO pending_reports (app, model, model_version, window_start, window_ms, reports, runs, errors, rejected, fallbacks, feature_layout, series, keys, counts)
SELECT app, model, model_version, window_start, window_ms, reports, runs, errors, rejected, fallbacks, feature_layout, series, keys, counts
FROM jsonb_to_recordset($4::jsonb) AS r(app text, model text, model_version text, window_start bigint, window_ms bigint,
  reports bigint, runs bigint, errors bigint, rejected bigint, fallbacks bigint, feature_layout text, series text[], keys text[], counts bigint[])`;

// Keys never contain NUL (report-keys.ts), so it separates the parts of a composite key safely.
const SEP = '\u0000';

interface PendingRow {
  app: string;
  model: string;
  model_version: string;
  window_start: number;
  window_ms: number;
  reports: number;
  runs: number;
  errors: number;
  rejected: number;
  fallbacks: number;
  feature_layout: string;
  /** series → key → count, null-prototype (keys come from devices). */
  sums: Record<string, Record<string, number>>;
}

/**
 * The batch as pending rows: reports for the same window (and layout) summed into one row first.
 * Addition commutes, so summing here and again in the rollup is the same as adding one by one;
 * it only means less for the database to store and unnest.
 */
function pendingRows(batch: readonly ReportAdditions[]) {
  const rows = new Map<string, PendingRow>();
  for (const r of batch) {
    const k = [r.app, r.model, r.version, r.windowStart, r.featureLayout].join(SEP);
    let row = rows.get(k);
    if (!row) {
      row = { app: r.app, model: r.model, model_version: r.version, window_start: r.windowStart, window_ms: r.windowMs, reports: 0, runs: 0, errors: 0, rejected: 0, fallbacks: 0, feature_layout: r.featureLayout, sums: Object.create(null) as PendingRow['sums'] };
      rows.set(k, row);
    }
    row.reports += 1;
    row.runs += r.runs;
    row.errors += r.errors;
    row.rejected += r.rejected;
    row.fallbacks += r.fallbacks;
    // Nested objects, not one map keyed by series + key: no string built per count (this loop runs
    // for every count of every report, and was a tenth of the collector's CPU as a composite key).
    for (const series in r.counts) {
      const keys = r.counts[series]!;
      const into = (row.sums[series] ??= Object.create(null) as Record<string, number>);
      for (const key in keys) into[key] = (into[key] ?? 0) + keys[key]!;
    }
  }
  return [...rows.values()].map(({ sums, ...row }) => {
    const series: string[] = [];
    const keys: string[] = [];
    const counts: number[] = [];
    for (const name in sums) {
      const perKey = sums[name]!;
      for (const key in perKey) {
        series.push(name);
        keys.push(key);
        counts.push(perKey[key]!);
      }
    }
    return { ...row, series, keys, counts };
  });
}

function parameters(batch: readonly ReportAdditions[], now: number): unknown[] {
  // Ids in one canonical order: two batches that both hold ids X and Y wait for each other on the
  // unique index only in the same order, so they cannot deadlock.
  const ids = batch.map((r) => [r.app, r.id] as const).sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const tokens = batch.filter((r) => r.token !== undefined).sort((a, b) => (tokenKey(a) < tokenKey(b) ? -1 : 1));
  return [
    ids.map((r) => r[0]),
    ids.map((r) => r[1]),
    now,
    JSON.stringify(pendingRows(batch)),
    tokens.map((r) => r.app),
    tokens.map((r) => r.model),
    tokens.map((r) => r.version),
    tokens.map((r) => r.windowStart),
    tokens.map((r) => r.token!),
  ];
}

const tokenKey = (r: ReportAdditions) => [r.app, r.model, r.version, Number(r.windowStart), r.token].join(SEP);

/** Reports (indices) whose token another report of the same window already uses, in the batch or stored. */
async function reusedTokens(db: Database, batch: readonly ReportAdditions[], pending: number[]): Promise<Set<number>> {
  const reused = new Set<number>();
  const seen = new Set<string>();
  for (const i of pending) {
    const r = batch[i]!;
    if (r.token === undefined) continue;
    if (seen.has(tokenKey(r))) reused.add(i);
    seen.add(tokenKey(r));
  }
  const withToken = pending.filter((i) => batch[i]!.token !== undefined && !reused.has(i));
  if (withToken.length === 0) return reused;
  const rows = await db.query<{ app: string; model: string; model_version: string; window_start: number; token: string }>(
    `SELECT app, model, model_version, window_start, token FROM window_tokens
     WHERE (app, model, model_version, window_start, token) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]))`,
    [withToken.map((i) => batch[i]!.app), withToken.map((i) => batch[i]!.model), withToken.map((i) => batch[i]!.version), withToken.map((i) => batch[i]!.windowStart), withToken.map((i) => batch[i]!.token!)],
  );
  const stored = new Set(rows.map((r) => [r.app, r.model, r.model_version, Number(r.window_start), r.token].join(SEP)));
  for (const i of withToken) if (stored.has(tokenKey(batch[i]!))) reused.add(i);
  return reused;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes a batch of checked reports (distinct ids), all or nothing per attempt. Returns, per
 * report, whether it was stored now or had been stored before (a resend). Throws
 * DatabaseUnavailableError when the database fails, or keeps losing conflicts.
 */
export async function writeAdditions(db: Database, batch: readonly ReportAdditions[], now = Date.now()): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = batch.map(() => 'stored');
  let pending = batch.map((_, i) => i);
  let conflicts = 0;
  while (pending.length > 0) {
    try {
      await db.query(WRITE_SQL, parameters(pending.map((i) => batch[i]!), now), { name: 'edgewise-write' });
      return outcomes;
    } catch (error) {
      const state = (error as DatabaseUnavailableError).sqlState;
      if (state === '23505') {
        const seen = await existingIds(db, pending.map((i) => batch[i]!));
        const before = pending.length;
        pending = pending.filter((i) => !seen.has(batch[i]!.app + SEP + batch[i]!.id));
        for (let i = 0; i < batch.length; i++) if (seen.has(batch[i]!.app + SEP + batch[i]!.id)) outcomes[i] = 'duplicate';
        if (pending.length < before) continue;
        const reused = await reusedTokens(db, batch, pending);
        for (const i of reused) outcomes[i] = 'token-reused';
        pending = pending.filter((i) => !reused.has(i));
        if (reused.size > 0) continue;
      } else if (state && CONFLICT_STATES.has(state) && conflicts++ < MAX_CONFLICT_RETRIES) {
        await sleep(Math.random() * 5 * conflicts);
        continue;
      }
      throw error;
    }
  }
  return outcomes;
}

async function existingIds(db: Database, reports: readonly ReportAdditions[]): Promise<Set<string>> {
  const rows = await db.query<{ app: string; id: string }>(
    `SELECT app, id::text AS id FROM report_ids WHERE (app, id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))`,
    [reports.map((r) => r.app), reports.map((r) => r.id)],
  );
  return new Set(rows.map((r) => r.app + SEP + r.id));
}
