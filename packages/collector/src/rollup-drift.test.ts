import { buildBaseline } from '@edgewise/drift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineRegistry } from './baseline-registry.js';
import { DEFAULTS } from './config.js';
import { openPglite, type Database } from './database.js';
import { driftFor } from './drift.js';
import { writeAdditions } from './ingest-writer.js';
import { migrate } from './migrations.js';
import { bins, fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';
import { rollUp, rollUpAll, Roller, VACUUM_AFTER_MOVED, vacuumPending } from './rollup.js';
import { readTotals, readWindows } from './rollups.js';

/**
 * The rollup and the exact (privacy off) drift read, on a real embedded PGlite in this process:
 * reports written as the ingest path writes them, then moved and read back. Counts must come out
 * the same whether rows are still pending, rolled up, or half of each.
 */
const OFF = { ...DEFAULTS, privacy: false as const };
const HOUR = 3_600_000;
const APP = 'rollup-test';
const baseline = buildBaseline({ x: Array.from({ length: 100 }, (_, i) => i) }, { bins: 4 });
let db: Database;
let registry: BaselineRegistry;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  registry = new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: 1024 });
  await registry.register(APP, 'm', '1', baseline);
}, 60_000);
afterAll(() => db?.close());

/** Writes reports of `runs` runs each, `binOf` choosing the x bin, ending `hoursAgo` before NOW. */
async function write(version: string, runsEach: number[], options: { hoursAgo?: number; bin?: number } = {}) {
  const registered = await registry.get(APP, 'm', version);
  const end = NOW - (options.hoursAgo ?? 0) * HOUR;
  const additions = runsEach.map((runs) => {
    const counts = [0, 0, 0, 0];
    counts[options.bin ?? 0] = runs;
    const report = fixtureReport(runs, { modelVersion: version, window: { start: end - 1000, end }, features: { x: { kind: 'numeric', ...bins(4, 0), counts } } });
    return checkReport(report, APP, registered, OFF, NOW);
  });
  expect(await writeAdditions(db, additions, NOW)).toEqual(additions.map(() => 'stored'));
}
const pending = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_reports'))[0]!.n;

describe('rollup (pending reports → window rollups)', () => {
  it('moves at most `limit` reports a step, exactly once, and reads are the same before, during and after', async () => {
    await rollUpAll(db);
    await write('2', [1, 2, 3, 4, 5]);
    // Same window, same layout: the writer summed the batch into one pending row.
    expect(await pending()).toBe(1);
    await write('2', [10]);
    await write('2', [20]);
    const before = await readWindows(db, APP, 'm', '2');
    expect(before).toEqual([{ start: Math.floor((NOW - 1) / HOUR) * HOUR, windowMs: HOUR, reports: 7, runs: 45, errors: 0, rejected: 0, fallbacks: 0 }]);
    expect(await rollUp(db, 2)).toBe(2);
    expect(await pending()).toBe(1);
    expect(await readWindows(db, APP, 'm', '2')).toEqual(before);
    expect(await rollUp(db, 2)).toBe(1);
    expect(await rollUp(db, 2)).toBe(0);
    expect(await readWindows(db, APP, 'm', '2')).toEqual(before);
    const totals = await readTotals(db, APP, 'm', '2', undefined);
    expect(Object.fromEntries(totals.get('backends')!)).toEqual({ wasm: 45 });
  });

  it('rollUpAll keeps stepping while a step is full, and returns the total moved', async () => {
    await rollUpAll(db);
    for (let i = 0; i < 5; i++) await write('3', [1], { hoursAgo: i });
    expect(await pending()).toBe(5);
    expect(await rollUpAll(db, 2)).toBe(5);
    expect(await pending()).toBe(0);
    expect((await readWindows(db, APP, 'm', '3')).map((w) => w.runs)).toEqual([1, 1, 1, 1, 1]);
    expect(await rollUpAll(db, 2)).toBe(0);
  });

  it('a Roller rolls up soon after `batch` reports were written here, and on stop() waits for the step under way', async () => {
    const errors: unknown[] = [];
    const roller = new Roller(db, { intervalMs: 3_600_000, batch: 3, onError: (e) => errors.push(e) });
    await write('4', [1], { hoursAgo: 0 });
    await write('4', [1], { hoursAgo: 1 });
    roller.wrote(2);
    await roller.stop();
    expect(await pending()).toBeGreaterThanOrEqual(2); // 2 < batch: no rollup yet
    await write('4', [1], { hoursAgo: 2 });
    roller.wrote(1);
    const step = roller.run(); // one step at a time: a second call shares it
    expect(roller.run()).toBe(step);
    await step;
    expect(await pending()).toBe(0);
    await roller.stop();
    expect(errors).toEqual([]);
  });

  it('a Roller started rolls up every intervalMs by itself, and stop() ends that', async () => {
    const roller = new Roller(db, { intervalMs: 20, batch: 1_000_000 });
    roller.start();
    roller.start(); // once
    await write('9', [1]);
    for (let i = 0; i < 100 && (await pending()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await pending()).toBe(0);
    await roller.stop();
    await write('9', [1]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toBe(1);
    await rollUpAll(db);
  });

  it('the queue is vacuumed after VACUUM_AFTER_MOVED rows moved, and again once it goes quiet while dead rows are left', async () => {
    await rollUpAll(db);
    const vacuums: string[] = [];
    const watched = { ...db, query: (sql: string, params?: unknown[], options?: { name?: string }) => (sql.startsWith('VACUUM') && vacuums.push(sql), db.query(sql, params, options)) } as Database;
    const roller = new Roller(watched, { intervalMs: 3_600_000, batch: 1000 });
    await write('10', [1], { hoursAgo: 0 });
    await roller.run(); // moved 1: below VACUUM_AFTER_MOVED, the queue not quiet yet
    expect(vacuums).toEqual([]);
    await roller.run(); // moved 0 with 1 moved since the last vacuum: quiet, vacuum now
    expect(vacuums).toEqual(['VACUUM (SKIP_LOCKED) pending_reports']);
    await roller.run(); // nothing left to free (PGlite holds no older snapshot): no more vacuums
    expect(vacuums).toHaveLength(1);
    // Rows moved, not reports: each write here is one pending row.
    for (let i = 0; i < VACUUM_AFTER_MOVED; i++) await writeAdditions(db, [checkReport(fixtureReport(1, { modelVersion: '11', window: { start: NOW - 1000, end: NOW } }), APP, undefined, OFF, NOW)], NOW);
    await roller.run();
    expect(vacuums).toHaveLength(2); // ≥ VACUUM_AFTER_MOVED moved in one step
    expect(await vacuumPending(db)).toBe(0);
  }, 60_000);

  it('a Roller without onError swallows a failing step (the next tick tries again)', async () => {
    const broken = { ...db, transaction: async () => Promise.reject(new Error('database went away')) } as Database;
    await expect(new Roller(broken, { intervalMs: 3_600_000, batch: 1 }).run()).resolves.toBeUndefined();
  });

  it('a Roller reports a failing step to onError and keeps going', async () => {
    const errors: unknown[] = [];
    const broken = { ...db, transaction: async () => Promise.reject(new Error('database went away')) } as Database;
    const roller = new Roller(broken, { intervalMs: 3_600_000, batch: 1, onError: (e) => errors.push(e) });
    await roller.run();
    await roller.run();
    expect(errors.map((e) => (e as Error).message)).toEqual(['database went away', 'database went away']);
  });
});

describe('driftFor, privacy off (exact, live)', () => {
  it('withholds below k reports, saying why', async () => {
    await write('5', [3, 3]);
    expect(await driftFor(db, { k: 3, privacy: false }, APP, 'm', '5')).toEqual({ model: 'm', version: '5', reports: 2, withheld: true, reason: 'fewer than k = 3 reports' });
  });

  it('merges every window, counts exactly, and releases per-window drift only for windows of at least k reports', async () => {
    await registry.register(APP, 'm', '6', baseline);
    await write('6', [10, 10, 10], { hoursAgo: 2, bin: 0 }); // drifted: all in the first bin
    await write('6', [25], { hoursAgo: 1, bin: 0 }); // one report: not released alone
    await write('6', [10, 10, 10], { hoursAgo: 0, bin: 2 });
    await rollUp(db, 1); // some rolled up, some pending: the same answer
    const drift = await driftFor(db, { k: 3, privacy: false }, APP, 'm', '6');
    if ('withheld' in drift) throw new Error('withheld');
    expect(drift).toMatchObject({ model: 'm', version: '6', reports: 7, counters: { runs: 85, errors: 0, rejected: 0, fallbacks: 0 }, baseline: true, backends: { wasm: 85 }, topClasses: { '3': 85 } });
    expect(drift.histograms).toEqual({ x: [55, 0, 30, 0] });
    expect(drift.features).toEqual([expect.objectContaining({ feature: 'x', count: 85, drifted: true })]);
    expect(drift.latencyMs.counts[0]).toBe(85);
    expect(drift.windows.map((w) => ['reports' in w ? w.reports : undefined, w.runs, w.features.map((f) => [f.feature, f.count, f.drifted])])).toEqual([
      [3, 30, [['x', 30, true]]],
      [3, 30, [['x', 30, true]]],
    ]);
    expect(drift.windows.map((w) => w.bucket)).toEqual([Math.floor((NOW - 2 * HOUR - 1) / HOUR) * HOUR, Math.floor((NOW - 1) / HOUR) * HOUR]);
    expect(drift.windows.every((w) => w.windowMs === HOUR)).toBe(true);
  });

  it('with a registered baseline, a released window whose reports carried no features has no feature drift', async () => {
    await registry.register(APP, 'm', '8', baseline);
    const registered = await registry.get(APP, 'm', '8');
    const additions = [1, 2, 3].map(() => checkReport(fixtureReport(2, { modelVersion: '8', window: { start: NOW - 1000, end: NOW } }), APP, registered, OFF, NOW));
    await writeAdditions(db, additions, NOW);
    const drift = await driftFor(db, { k: 3, privacy: false }, APP, 'm', '8');
    if ('withheld' in drift) throw new Error('withheld');
    expect(drift).toMatchObject({ reports: 3, baseline: true, features: [], histograms: {} });
    expect(drift.windows).toEqual([expect.objectContaining({ runs: 6, features: [] })]);
  });

  it('without a registered baseline: counters and fixed series only, no features', async () => {
    await write('7', [2, 2, 2]);
    const drift = await driftFor(db, { k: 3, privacy: false }, APP, 'm', '7');
    if ('withheld' in drift) throw new Error('withheld');
    expect(drift).toMatchObject({ reports: 3, baseline: false, features: [], histograms: {}, counters: { runs: 6 } });
    expect(drift.windows).toEqual([expect.objectContaining({ reports: 3, runs: 6, features: [] })]);
  });
});
