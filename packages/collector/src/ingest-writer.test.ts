import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './config.js';
import type { Database } from './database.js';
import { withMigratedPglite } from './pglite.fixture.js';
import { writeAdditions } from './ingest-writer.js';
import { fixtureReport, NOW } from './report.fixture.js';
import { checkReport, type ReportAdditions } from './report-check.js';
import { readTotals, readWindows } from './rollups.js';

/**
 * The batch writer on a real embedded PGlite: all or nothing per attempt, resends answered as
 * duplicates without counting twice, one device token per window, conflicts retried.
 */
const OFF = { ...DEFAULTS, privacy: false as const };
const HOUR = 3_600_000;
let db: Database;
withMigratedPglite((opened) => (db = opened));

const additions = (version: string, runs: number, extra: Partial<ReportAdditions> = {}, hoursAgo = 0): ReportAdditions => {
  const end = NOW - hoursAgo * HOUR;
  return { ...checkReport(fixtureReport(runs, { model: 'w', modelVersion: version, window: { start: end - 1000, end } }), 'writer', undefined, OFF, NOW), ...extra };
};
const runsOf = async (version: string) => (await readWindows(db, 'writer', 'w', version)).reduce((s, w) => s + w.runs, 0);
const reportsOf = async (version: string) => (await readWindows(db, 'writer', 'w', version)).reduce((s, w) => s + w.reports, 0);

describe('writeAdditions', () => {
  it('stores a batch, summing reports of one window into one pending row', async () => {
    expect(await writeAdditions(db, [additions('1', 2), additions('1', 3), additions('1', 4, {}, 1)], NOW)).toEqual(['stored', 'stored', 'stored']);
    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pending_reports WHERE model_version = '1'`)) as [{ n: number }];
    expect(n).toBe(2);
    expect(await runsOf('1')).toBe(9);
    expect(Object.fromEntries((await readTotals(db, 'writer', 'w', '1', undefined)).get('backends')!)).toEqual({ wasm: 9 });
  });

  it('a resend is a duplicate and counts nothing; the rest of its batch is stored', async () => {
    const first = additions('2', 5);
    await writeAdditions(db, [first], NOW);
    const again = await writeAdditions(db, [additions('2', 1), first, additions('2', 2)], NOW);
    expect(again).toEqual(['stored', 'duplicate', 'stored']);
    expect(await runsOf('2')).toBe(8);
    expect(await writeAdditions(db, [first], NOW)).toEqual(['duplicate']);
    expect(await reportsOf('2')).toBe(3);
  });

  it('one token per device and window: a second report with it, in the batch or stored, is token-reused', async () => {
    const token = 'tok-1';
    expect(await writeAdditions(db, [additions('3', 1, { token }), additions('3', 1, { token }), additions('3', 1, { token: 'tok-2' })], NOW)).toEqual(['stored', 'token-reused', 'stored']);
    expect(await writeAdditions(db, [additions('3', 1, { token }), additions('3', 1, { token }, 1)], NOW)).toEqual(['token-reused', 'stored']);
    expect(await reportsOf('3')).toBe(3);
  });

  it('retries a lost conflict (deadlock, serialization) a few times, then gives up with the error', async () => {
    let failures = 2;
    const conflicted = (state: string) =>
      ({
        ...db,
        query: async (sql: string, params?: unknown[], options?: { name?: string }) => {
          if (options?.name === 'edgewise-write' && failures-- > 0) throw Object.assign(new Error('deadlock detected'), { sqlState: state });
          return db.query(sql, params, options);
        },
      }) as Database;
    expect(await writeAdditions(conflicted('40P01'), [additions('4', 1)], NOW)).toEqual(['stored']);
    failures = 2;
    expect(await writeAdditions(conflicted('40001'), [additions('4', 1)], NOW)).toEqual(['stored']);
    failures = 6;
    await expect(writeAdditions(conflicted('40P01'), [additions('4', 1)], NOW)).rejects.toThrow('deadlock detected');
    failures = 1;
    await expect(writeAdditions(conflicted('22003'), [additions('4', 1)], NOW)).rejects.toThrow('deadlock detected'); // not a conflict: at once
    expect(await reportsOf('4')).toBe(2);
  });
  it('sums the errors, rejected and fallbacks of reports in one window, in a batch and across batches', async () => {
    const counted = (errors: number, rejected: number, fallbacks: number) => additions('5', 4, { errors, rejected, fallbacks });
    await writeAdditions(db, [counted(1, 2, 3), counted(10, 20, 30)], NOW);
    await writeAdditions(db, [counted(100, 200, 300)], NOW);
    const [window] = await readWindows(db, 'writer', 'w', '5');
    expect({ ...window, start: undefined, windowMs: undefined }).toEqual({ start: undefined, windowMs: undefined, reports: 3, runs: 12, errors: 111, rejected: 222, fallbacks: 333 });
  });
});
