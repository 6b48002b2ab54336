import type { Database } from './database.js';

/** Held (transaction-scoped) by whoever moves pending rows into the rollups: one mover at a time. */
export const ROLLUP_LOCK_KEY = 0x45646779;

/**
 * Moves up to $1 pending reports into the window rollups in one statement: the DELETE … RETURNING
 * feeds both upserts, so a report is added exactly when it leaves pending, never twice, never
 * lost. Counts are summed in SQL and added with count = count + EXCLUDED.count.
 */
const ROLLUP_SQL = `
WITH moved AS (
  DELETE FROM pending_reports WHERE seq IN (SELECT seq FROM pending_reports ORDER BY seq LIMIT $1)
  RETURNING app, model, model_version, window_start, window_ms, reports, runs, errors, rejected, fallbacks, feature_layout, series, keys, counts
), totals AS (
  INSERT INTO window_totals AS w (app, model, model_version, window_start, window_ms, reports, runs, errors, rejected, fallbacks)
  SELECT app, model, model_version, window_start, max(window_ms), sum(reports)::bigint, sum(runs)::bigint, sum(errors)::bigint, sum(rejected)::bigint, sum(fallbacks)::bigint
  FROM moved GROUP BY app, model, model_version, window_start
  ON CONFLICT (app, model, model_version, window_start) DO UPDATE SET
    reports = w.reports + EXCLUDED.reports, runs = w.runs + EXCLUDED.runs, errors = w.errors + EXCLUDED.errors,
    rejected = w.rejected + EXCLUDED.rejected, fallbacks = w.fallbacks + EXCLUDED.fallbacks
), counts AS (
  INSERT INTO window_counts AS c (app, model, model_version, window_start, layout, series, key, count)
  SELECT m.app, m.model, m.model_version, m.window_start, CASE WHEN u.series LIKE 'feature%' THEN m.feature_layout ELSE '' END,
         u.series, u.key, sum(u.n)::bigint
  FROM moved m, unnest(m.series, m.keys, m.counts) AS u(series, key, n)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (app, model, model_version, window_start, layout, series, key) DO UPDATE SET count = c.count + EXCLUDED.count
)
SELECT count(*)::bigint AS moved FROM moved`;

/**
 * One rollup step. Returns how many pending reports it moved, or undefined when another process
 * (or call) holds the rollup lock; it does not wait for it.
 */
export async function rollUp(db: Database, limit = 2000): Promise<number | undefined> {
  return db.transaction(async (q) => {
    const [lock] = await q<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ROLLUP_LOCK_KEY], { name: 'edgewise-rollup-lock' });
    if (!lock?.ok) return undefined;
    return (await q<{ moved: number }>(ROLLUP_SQL, [limit], { name: 'edgewise-rollup' }))[0]!.moved;
  });
}

/** Rolls up until nothing is pending (or another process is rolling up). */
export async function rollUpAll(db: Database, limit = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const moved = await rollUp(db, limit);
    if (moved === undefined) return total;
    total += moved;
    if (moved < limit) return total;
  }
}

/** Pending rows moved (by this process) that start a vacuum of pending_reports while the queue is busy. */
export const VACUUM_AFTER_MOVED = 1000;

/**
 * pending_reports is a queue: every row is deleted soon after it is written. Its dead rows stay in
 * the heap and its index until a vacuum, and every read (which adds the pending rows of a version)
 * visits them: after 1M reports a /v1/drift read spent 38 ms of its 40 ms on ~7,000 dead pending
 * rows. Autovacuum wakes only once a minute at best on PostgreSQL and does not run in PGlite, so
 * the roller vacuums the queue itself. SKIP_LOCKED: when another process is vacuuming it, skip.
 */
export async function vacuumPending(db: Database): Promise<number> {
  await db.query('VACUUM (SKIP_LOCKED) pending_reports');
  return deadPendingRows(db);
}

/**
 * Dead rows of pending_reports the last vacuum could not free (an open transaction could still
 * see them), by PostgreSQL's own statistics; the vacuum sets this figure when it ends.
 */
async function deadPendingRows(db: Database): Promise<number> {
  const [row] = await db.query<{ dead: number | null }>(
    `SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'pending_reports' AND schemaname = current_schema()`,
  );
  return row?.dead ?? 0;
}

/**
 * Runs rollups in the background of one collector process: every `intervalMs`, and soon after
 * `batch` reports were written here. Several processes may run one each; the lock makes them
 * take turns instead of waiting on each other's rows.
 */
export class Roller {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private written = 0;
  private rowsToVacuum = 0;

  constructor(
    private readonly db: Database,
    private readonly options: { intervalMs: number; batch: number; onError?: (error: unknown) => void },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.run(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Counts reports this process wrote; enough of them start a rollup before the next tick. */
  wrote(n: number): void {
    this.written += n;
    if (this.written >= this.options.batch) void this.run();
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      try {
        this.written = 0;
        const moved = await rollUpAll(this.db, this.options.batch * 2);
        this.rowsToVacuum += moved;
        // A vacuum frees only rows no open transaction can still see: one right after the
        // rollup that deleted them can leave them all (an ingest, or a read, that began before
        // that rollup committed still holds its snapshot). So when the queue goes quiet — a
        // rollup that moves nothing — vacuum again while rows are left, until none are.
        if (this.rowsToVacuum >= VACUUM_AFTER_MOVED || (moved === 0 && this.rowsToVacuum > 0)) {
          this.rowsToVacuum = await vacuumPending(this.db);
        }
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
