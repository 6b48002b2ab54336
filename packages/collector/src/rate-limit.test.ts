import { describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { withMigratedPglite } from './pglite.fixture.js';
import { RateLimit } from './rate-limit.js';

/** The shared per-minute budget on a real embedded PGlite: leases, exhaustion, minutes, processes. */
let db: Database;
withMigratedPglite((opened) => (db = opened));

const MINUTE = 60_000;
const T = Date.UTC(2026, 5, 1, 12, 0); // a minute boundary
const counted = async (app: string) => (await db.query<{ count: number }>('SELECT count::int AS count FROM rate_counters WHERE app = $1', [app]))[0]?.count ?? 0;
const take = async (limit: RateLimit, wanted: Record<string, number>, now: number) => Object.fromEntries((await limit.take(new Map(Object.entries(wanted)), now)).admitted);

describe('RateLimit (reports per app per minute, counted in the database)', () => {
  it('leases tokens in chunks of perMinute / 50 and spends them locally, so the shared row is written once a chunk', async () => {
    const limit = new RateLimit(db, 1000); // chunk 20
    expect(await take(limit, { chunked: 1 }, T)).toEqual({ chunked: 1 });
    expect(await counted('chunked')).toBe(20);
    for (let i = 0; i < 19; i++) expect(await take(limit, { chunked: 1 }, T + i)).toEqual({ chunked: 1 });
    expect(await counted('chunked')).toBe(20);
    expect(await take(limit, { chunked: 1 }, T + 100)).toEqual({ chunked: 1 });
    expect(await counted('chunked')).toBe(40);
    // A batch beyond a chunk leases what it lacks in one write.
    expect(await take(limit, { chunked: 70 }, T + 200)).toEqual({ chunked: 70 });
    expect(await counted('chunked')).toBe(40 + 51);
  });

  it('admits at most perMinute a minute, then asks the database no more until the next minute', async () => {
    const limit = new RateLimit(db, 10); // chunk 1
    expect(await take(limit, { tight: 15 }, T)).toEqual({ tight: 10 });
    expect(await counted('tight')).toBe(15); // asked for, not granted: the row counts demand
    expect(await take(limit, { tight: 1 }, T + 30_000)).toEqual({ tight: 0 });
    expect(await counted('tight')).toBe(15);
    expect(await take(limit, { tight: 3 }, T + MINUTE)).toEqual({ tight: 3 });
  });

  it('processes share one budget: what one leased, another cannot', async () => {
    const [one, two] = [new RateLimit(db, 10), new RateLimit(db, 10)];
    expect(await take(one, { shared: 6 }, T)).toEqual({ shared: 6 });
    expect(await take(two, { shared: 6 }, T + 1)).toEqual({ shared: 4 });
    expect(await take(one, { shared: 1 }, T + 2)).toEqual({ shared: 0 });
  });

  it('apps have budgets of their own, asked for in one statement', async () => {
    const limit = new RateLimit(db, 2);
    expect(await take(limit, { x: 3, y: 1 }, T)).toEqual({ x: 2, y: 1 });
    expect(await take(limit, { x: 1, y: 1 }, T + 1)).toEqual({ x: 0, y: 1 });
  });

  it('perMinute 0 is no limit, and nothing is written', async () => {
    const limit = new RateLimit(db, 0);
    expect(await take(limit, { free: 1_000_000 }, T)).toEqual({ free: 1_000_000 });
    expect(await counted('free')).toBe(0);
  });

  it('says when the budget refills: the seconds left in the minute, rounded up, at least 1', async () => {
    const limit = new RateLimit(db, 0);
    const after = async (now: number) => (await limit.take(new Map([['t', 1]]), now)).retryAfterSeconds;
    expect(await after(T)).toBe(60);
    expect(await after(T + 15_500)).toBe(45);
    expect(await after(T + 59_001)).toBe(1);
    expect(await after(T + 59_999)).toBe(1);
  });
});
