import type { Database } from './database.js';

interface Lease {
  minute: number;
  tokens: number;
  exhausted: boolean;
}

/**
 * Reports per app per minute, counted in the database so that every process shares one budget
 * (a fixed one-minute window). A process leases tokens in chunks (`INSERT … ON CONFLICT DO UPDATE
 * SET count = count + n`, never read-modify-write) and spends them locally, so the shared row is
 * written once per chunk, not once per batch. Across processes at most `perMinute` reports are
 * admitted a minute; a chunk a process does not use by the end of the minute is lost, so with P
 * processes up to P × chunk (about 2% of the budget each) may go unused.
 */
export class RateLimit {
  private readonly leases = new Map<string, Lease>();
  private readonly chunk: number;

  constructor(
    private readonly db: Database,
    private readonly perMinute: number,
  ) {
    this.chunk = Math.max(1, Math.min(256, Math.floor(perMinute / 50)));
  }

  /**
   * Takes `wanted` reports per app from this minute's budget; returns how many each may send now
   * and when the budget refills.
   */
  async take(wanted: ReadonlyMap<string, number>, now = Date.now()): Promise<{ admitted: Map<string, number>; retryAfterSeconds: number }> {
    const minute = Math.floor(now / 60_000);
    const retryAfterSeconds = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
    if (this.perMinute === 0) return { admitted: new Map(wanted), retryAfterSeconds };
    const short = new Map<string, number>();
    for (const [app, n] of wanted) {
      const lease = this.lease(app, minute);
      // Once the database said the minute is spent, do not ask again until the next one.
      if (lease.tokens < n && !lease.exhausted) short.set(app, Math.max(n - lease.tokens, this.chunk));
    }
    if (short.size > 0) {
      const apps = [...short.keys()].sort();
      const rows = await this.db.query<{ app: string; count: number }>(
        `INSERT INTO rate_counters AS r (app, minute, count) SELECT a, $2::bigint, n FROM unnest($1::text[], $3::bigint[]) AS t(a, n)
         ON CONFLICT (app, minute) DO UPDATE SET count = r.count + EXCLUDED.count RETURNING app, count`,
        [apps, minute, apps.map((a) => short.get(a)!)],
        { name: 'edgewise-rate' },
      );
      for (const { app, count } of rows) {
        const asked = short.get(app)!;
        const granted = Math.max(0, Math.min(asked, this.perMinute - (count - asked)));
        const lease = this.lease(app, minute);
        lease.tokens += granted;
        lease.exhausted = granted < asked;
      }
    }
    const admitted = new Map<string, number>();
    for (const [app, n] of wanted) {
      const lease = this.lease(app, minute);
      const granted = Math.min(n, lease.tokens);
      lease.tokens -= granted;
      admitted.set(app, granted);
    }
    return { admitted, retryAfterSeconds };
  }

  private lease(app: string, minute: number): Lease {
    let lease = this.leases.get(app);
    if (!lease || lease.minute !== minute) this.leases.set(app, (lease = { minute, tokens: 0, exhausted: false }));
    return lease;
  }
}
