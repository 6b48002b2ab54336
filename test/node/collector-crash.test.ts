import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@edgewise/collector';
import { describe, expect, it } from 'vitest';
import { deviceReport } from '../collector-client.js';

const bin = fileURLToPath(new URL('../../packages/collector/bin/collector.js', import.meta.url));
const report = () => deviceReport(1);

describe('collector killed mid-load (SIGKILL, embedded PGlite on disk)', () => {
  it('loses no acknowledged report', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edgewise-collector-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [bin], {
      env: { ...process.env, PORT: String(port), COLLECTOR_DATA_DIR: dataDir, DATABASE_URL: '', EDGEWISE_APPS: 'crash:in:out', COLLECTOR_PRIVACY: 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('edgewise collector on') && resolve());
      child.once('exit', (code) => reject(new Error(`collector exited early with ${code}`)));
      setTimeout(() => reject(new Error('collector did not start in 60 s')), 60_000);
    });
    const acknowledged: string[] = [];
    let stop = false;
    const send = async () => {
      while (!stop) {
        const r = report();
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/reports`, { method: 'POST', body: JSON.stringify(r), headers: { 'content-type': 'application/json', authorization: 'Bearer in' } });
          if (res.status === 202) acknowledged.push(r.id);
        } catch {
          return; // the server died under us: this request was never acknowledged
        }
      }
    };
    const senders = Array.from({ length: 8 }, send);
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    stop = true;
    await Promise.all(senders);
    expect(acknowledged.length).toBeGreaterThan(20);

    const db = await openDatabase({ dataDir, databasePoolSize: 1, databaseTimeoutMs: 10_000 });
    const stored = new Set((await db.query<{ id: string }>('SELECT id::text AS id FROM report_ids')).map((r) => r.id));
    const [counted] = await db.query<{ reports: number }>(
      'SELECT (SELECT COALESCE(SUM(reports), 0) FROM window_totals) + (SELECT COALESCE(SUM(reports), 0) FROM pending_reports) AS reports',
    );
    await db.close();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Counted reports (rolled up or pending) agree with the stored ids: they committed together.
    expect(Number(counted!.reports)).toBe(stored.size);
  }, 120_000);
});
