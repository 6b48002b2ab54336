import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './config.js';
import type { Database } from './database.js';
import { withMigratedPglite } from './pglite.fixture.js';
import { writeAdditions } from './ingest-writer.js';
import { RateLimit } from './rate-limit.js';
import { fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';
import { pruneExpired } from './retention.js';
import { rollUpAll } from './rollup.js';
import { readWindows } from './rollups.js';

/** Retention on a real embedded PGlite: what is deleted, and what must stay for a late resend. */
const HOUR = 3_600_000;
const config = { ...DEFAULTS, privacy: false as const, retentionMs: 10 * HOUR, maxClockSkewMs: HOUR, windowMs: HOUR };
let db: Database;
withMigratedPglite((opened) => (db = opened));

async function write(version: string, hoursAgo: number, receivedAt: number) {
  const end = NOW - hoursAgo * HOUR;
  const report = fixtureReport(2, { modelVersion: version, window: { start: end - 1000, end } });
  await writeAdditions(db, [checkReport(report, 'app', undefined, config, NOW)], receivedAt);
}
const rows = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

describe('pruneExpired', () => {
  it('deletes windows older than the retention with their counts, rolled up or pending; report ids only once no window they could be in remains', async () => {
    await write('1', 9, NOW); // old: 9 h ago
    await write('1', 0, NOW);
    await rollUpAll(db);
    await write('1', 9, NOW); // old and still pending
    await new RateLimit(db, 10).take(new Map([['app', 1]]), NOW);
    expect((await readWindows(db, 'app', 'm', '1')).map((w) => w.reports)).toEqual([2, 1]);
    const countsBefore = await rows('window_counts');

    // Nothing is old enough yet.
    expect(await pruneExpired(db, config, NOW)).toEqual({ windows: 0, counts: 0, pending: 0, reportIds: 0, rateCounters: 0 });

    const later = await pruneExpired(db, config, NOW + 2 * HOUR);
    expect(later).toMatchObject({ windows: 1, pending: 1, reportIds: 0, rateCounters: 1 });
    expect(later.counts).toBeGreaterThan(0);
    expect(await rows('window_counts')).toBe(countsBefore - later.counts);
    expect((await readWindows(db, 'app', 'm', '1')).map((w) => w.reports)).toEqual([1]);
    // Received at NOW: an id could still belong to a window until NOW + skew + windowMs is past the retention.
    expect(await pruneExpired(db, config, NOW + 10 * HOUR + HOUR + HOUR)).toMatchObject({ reportIds: 0, windows: 1 });
    expect(await pruneExpired(db, config, NOW + 10 * HOUR + HOUR + HOUR + 1)).toMatchObject({ reportIds: 3 });
    expect(await rows('report_ids')).toBe(0);
    expect(await rows('window_totals')).toBe(0);
    expect(await rows('pending_reports')).toBe(0);
  });
});
