import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { ROLLUP_LOCK_KEY } from './rollup.js';

export interface PruneResult {
  windows: number;
  counts: number;
  pending: number;
  reportIds: number;
  rateCounters: number;
}

/**
 * Deletes windows that started more than `retentionMs` ago, with their counts, and the report
 * ids that could only belong to them: an id is kept until its window is gone, since a report for
 * a deleted window is refused anyway (older than the retention), so a late resend can never be
 * counted twice. Holds the rollup lock, so it never races a rollup for the same rows.
 */
export async function pruneExpired(db: Database, config: Pick<CollectorConfig, 'retentionMs' | 'maxClockSkewMs' | 'windowMs'>, now = Date.now()): Promise<PruneResult> {
  const cutoff = now - config.retentionMs;
  return db.transaction(async (q) => {
    await q('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK_KEY]);
    const deleted = async (sql: string, param: number) => (await q<{ n: number }>(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::bigint AS n FROM d`, [param]))[0]!.n;
    const counts = await deleted(
      `DELETE FROM window_counts c USING window_totals w
       WHERE w.window_start < $1 AND c.app = w.app AND c.model = w.model AND c.model_version = w.model_version AND c.window_start = w.window_start`,
      cutoff,
    );
    const windows = await deleted('DELETE FROM window_totals WHERE window_start < $1', cutoff);
    const pending = await deleted('DELETE FROM pending_reports WHERE window_start < $1', cutoff);
    await q('DELETE FROM window_releases WHERE window_start < $1', [cutoff]);
    await q('DELETE FROM window_tokens WHERE window_start < $1', [cutoff]);
    // Accepted at t means window.end ≤ t + skew, so its window started before t + skew: received
    // before cutoff - skew, the window is gone (windowMs is margin).
    const reportIds = await deleted('DELETE FROM report_ids WHERE received_at < $1', cutoff - config.maxClockSkewMs - config.windowMs);
    const rateCounters = await deleted('DELETE FROM rate_counters WHERE minute < $1', Math.floor(now / 60_000) - 2);
    return { windows, counts, pending, reportIds, rateCounters };
  });
}
