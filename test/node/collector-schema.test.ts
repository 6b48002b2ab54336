import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEFAULTS, MIGRATIONS, migrate, openDatabase, openPglite, pruneExpired, rollUpAll, startCollector } from '@edgewise/collector';
import { describe, expect, it } from 'vitest';
import { deviceReport, send, weatherBaselineFile } from '../collector-client.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

const APP = { app: 'schema', ingestKey: 'in', readKey: 'out' };

describe('migrations', () => {
  it.skipIf(!postgresAvailable('collector-schema'))('run once when several collectors open one fresh PostgreSQL database at the same moment', async () => {
    const fresh = (await freshPostgresDatabase('collector-schema'))!;
    try {
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: fresh.url, databasePoolSize: 2, databaseTimeoutMs: 20_000 })));
      const [db] = dbs;
      const applied = await db!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(applied.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(db!)).toEqual([]); // nothing left to do
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await fresh.drop();
    }
  }, 60_000);

  it('refuse a database migrated by a newer collector', async () => {
    const db = await openPglite();
    await migrate(db);
    await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, $1, 0)', ['from the future']);
    await expect(migrate(db)).rejects.toMatchObject({ code: 'E_CONFIG', message: /version 999, newer than this collector knows/ });
    await db.close();
  });

  it('import the merged windows of collector 0.1 (JSON bodies), dropping keys today\'s rules refuse', async () => {
    const db = await openPglite();
    // The 0.1 schema and one of its rows, as that collector wrote them.
    await db.query(`
      CREATE TABLE reports (id uuid PRIMARY KEY, app text NOT NULL, model text NOT NULL, model_version text NOT NULL, window_start bigint NOT NULL, window_end bigint NOT NULL, received_at bigint NOT NULL);
      CREATE TABLE windows (app text NOT NULL, model text NOT NULL, model_version text NOT NULL, bucket bigint NOT NULL, reports integer NOT NULL, body jsonb NOT NULL, PRIMARY KEY (app, model, model_version, bucket));
      CREATE TABLE baselines (app text NOT NULL, model text NOT NULL, model_version text NOT NULL, baseline jsonb NOT NULL, PRIMARY KEY (app, model, model_version));`);
    const { v, id, model, modelVersion, window, ...body } = deviceReport(30);
    const bucket = Math.floor(window.end / 3_600_000) * 3_600_000;
    const legacy = { ...body, backends: { wasm: 20, toString: 10 } };
    await db.query('INSERT INTO windows VALUES ($1, $2, $3, $4, $5, $6)', [APP.app, 'weather', '1.0.0', bucket, 3, JSON.stringify(legacy)]);
    await db.query('INSERT INTO reports VALUES ($1, $2, $3, $4, $5, $6, $7)', [id, APP.app, 'weather', '1.0.0', window.start, window.end, Date.now()]);
    await db.query('INSERT INTO baselines VALUES ($1, $2, $3, $4)', [APP.app, 'weather', '1.0.0', await readFile(weatherBaselineFile, 'utf8')]);
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r) => r.t);
    expect(tables).toEqual(expect.arrayContaining(['legacy_reports', 'legacy_windows', 'report_ids', 'window_counts']));
    expect(tables).not.toContain('windows');
    const [pending] = await db.query<{ reports: number; runs: number }>('SELECT reports, runs FROM pending_reports');
    expect(pending).toMatchObject({ reports: 3, runs: 30 });
    await db.close();
  });
});

describe('legacy import served over HTTP', () => {
  it('counts the imported window and keeps its report ids', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'edgewise-legacy-'));
    const raw = await openPglite(dataDir);
    await raw.query(`
      CREATE TABLE reports (id uuid PRIMARY KEY, app text NOT NULL, model text NOT NULL, model_version text NOT NULL, window_start bigint NOT NULL, window_end bigint NOT NULL, received_at bigint NOT NULL);
      CREATE TABLE windows (app text NOT NULL, model text NOT NULL, model_version text NOT NULL, bucket bigint NOT NULL, reports integer NOT NULL, body jsonb NOT NULL, PRIMARY KEY (app, model, model_version, bucket));
      CREATE TABLE baselines (app text NOT NULL, model text NOT NULL, model_version text NOT NULL, baseline jsonb NOT NULL, PRIMARY KEY (app, model, model_version));`);
    const report = deviceReport(30);
    const { v, id, model, modelVersion, window, ...body } = report;
    await raw.query('INSERT INTO windows VALUES ($1, $2, $3, $4, $5, $6)', [APP.app, 'weather', '1.0.0', Math.floor(window.end / 3_600_000) * 3_600_000, 3, JSON.stringify({ ...body, backends: { wasm: 20, toString: 10 } })]);
    await raw.query('INSERT INTO reports VALUES ($1, $2, $3, $4, $5, $6, $7)', [id, APP.app, 'weather', '1.0.0', window.start, window.end, Date.now()]);
    await raw.query('INSERT INTO baselines VALUES ($1, $2, $3, $4)', [APP.app, 'weather', '1.0.0', await readFile(weatherBaselineFile, 'utf8')]);
    await raw.close();
    const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir, apps: [APP], k: 1, privacy: false });
    try {
      const d = (await send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: APP.readKey })).json;
      expect(d.reports).toBe(3);
      expect(d.counters.runs).toBe(30);
      expect(d.backends).toEqual({ wasm: 20 }); // "toString" was a key no report may carry now
      expect(d.histograms.temp_max.reduce((a: number, b: number) => a + b, 0)).toBe(30);
      expect((await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(report) })).status).toBe(409);
    } finally {
      await collector.close();
    }
  }, 60_000);
});

describe('retention', () => {
  it('deletes windows older than the retention with their counts and ids, and refuses reports for them', async () => {
    const hour = 3_600_000;
    const config = { ...DEFAULTS, apps: [APP], port: 0, databaseUrl: undefined, dataDir: undefined, k: 1, privacy: false as const, retentionMs: 10 * hour, maxClockSkewMs: hour };
    const collector = await startCollector(config);
    try {
      const now = Date.now();
      const old = deviceReport(4, { window: { start: now - 9 * hour - 60_000, end: now - 9 * hour } });
      const recent = deviceReport(6);
      for (const r of [old, recent]) expect((await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(r) })).status).toBe(202);
      const tooOld = deviceReport(1, { window: { start: 0, end: now - 11 * hour } });
      const refused = await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(tooOld) });
      expect(refused.status).toBe(422);
      expect(refused.json.error).toMatch(/older than the retention/);
      await rollUpAll(collector.db);
      // Two hours later the old window is past retention; its report id was received now, and
      // ids live until no window they could belong to remains.
      const later = await pruneExpired(collector.db, config, now + 2 * hour);
      expect(later).toMatchObject({ windows: 1, reportIds: 0 });
      expect(later.counts).toBeGreaterThan(10);
      const d = (await send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: APP.readKey })).json;
      expect(d).toMatchObject({ reports: 1, counters: { runs: 6 } });
      const muchLater = await pruneExpired(collector.db, config, now + 13 * hour);
      expect(muchLater).toMatchObject({ windows: 1, reportIds: 2 });
      const [left] = await collector.db.query<{ n: number }>('SELECT (SELECT count(*) FROM window_counts) + (SELECT count(*) FROM report_ids) AS n');
      expect(Number(left!.n)).toBe(0);
    } finally {
      await collector.close();
    }
  });
});

it('ids are compared case-insensitively (one report, whatever the case of its uuid)', async () => {
  const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 1, privacy: false });
  try {
    const r = deviceReport(2, { id: randomUUID().toUpperCase() });
    expect((await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(r) })).status).toBe(202);
    expect((await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify({ ...r, id: r.id.toLowerCase() }) })).status).toBe(409);
  } finally {
    await collector.close();
  }
});
