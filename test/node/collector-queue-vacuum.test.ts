import { startCollector, type Database } from '@edgewise/collector';
import { describe, expect, it } from 'vitest';
import { deviceReport, send } from '../collector-client.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

const APP = { app: 'queue', ingestKey: 'in', readKey: 'out' };

/** Pages the pending part of a read touches (heap and index), from PostgreSQL's own accounting. */
async function pendingReadBlocks(db: Database): Promise<number> {
  const [row] = await db.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT reports FROM pending_reports WHERE app='queue' AND model='weather' AND model_version='1.0.0'`,
  );
  const plan = (typeof row!['QUERY PLAN'] === 'string' ? JSON.parse(row!['QUERY PLAN']) : row!['QUERY PLAN']) as Array<{ Plan: Record<string, number> }>;
  return plan[0]!.Plan['Shared Hit Blocks']! + plan[0]!.Plan['Shared Read Blocks']!;
}

/**
 * pending_reports is a queue (every row deleted by the rollup soon after it is written). Without a
 * vacuum its dead rows pile up, and every read of a version visits them: after 1M reports a
 * /v1/drift read spent 38 ms on them. The roller vacuums the queue; these reads stay flat.
 */
describe.each([
  { name: 'PGlite', skip: false },
  { name: 'PostgreSQL', skip: !postgresAvailable('collector-queue-vacuum') },
])('the pending queue on $name', ({ name, skip }) => {
  it.skipIf(skip)('is vacuumed by the rollup, so reads do not visit the rows of reports already rolled up', async () => {
    const fresh = name === 'PostgreSQL' ? await freshPostgresDatabase('collector-queue-vacuum') : undefined;
    const collector = await startCollector({ port: 0, databaseUrl: fresh?.url, dataDir: undefined, apps: [APP], ratePerMinute: 1e9, k: 1, privacy: false, rollupIntervalMs: 50 });
    try {
      // Reports one after another: each is its own group commit, so its own pending row.
      const reports = 1500;
      for (let i = 0; i < reports; i += 5) {
        const sent = await Promise.all(Array.from({ length: 5 }, () => send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(deviceReport(20)) })));
        expect(sent.map((s) => s.status)).toEqual([202, 202, 202, 202, 202]);
      }
      let blocks = Infinity;
      for (let i = 0; i < 100 && blocks > 4; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const [left] = await collector.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_reports');
        if (left!.n === 0) blocks = await pendingReadBlocks(collector.db);
      }
      // A few index pages at most; the dead rows of 1,500 reports span dozens of heap pages.
      expect(blocks).toBeLessThanOrEqual(4);
      const drift = await send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: APP.readKey });
      expect(drift.json.reports).toBe(reports);
    } finally {
      await collector.close();
      await fresh?.drop();
    }
  }, 120_000);
});
