import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite } from '@edgewise/collector';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../packages/collector/bin/collector.js', import.meta.url));
const bins = (n: number) => ({ counts: new Array(n).fill(1), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const report = () => ({
  v: 1,
  id: randomUUID(),
  model: 'm',
  modelVersion: '1',
  window: { start: 1, end: Date.now() },
  counters: { runs: 1, errors: 0, rejected: 0, fallbacks: 0 },
  backends: { wasm: 1 },
  latencyMs: bins(LATENCY_EDGES_MS.length + 1),
  confidence: bins(CONFIDENCE_EDGES.length + 1),
  topClasses: { '0': 1 },
  features: {},
});

describe('collector killed mid-load (SIGKILL, embedded PGlite on disk)', () => {
  it('loses no acknowledged report', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edgewise-collector-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [bin], {
      env: { ...process.env, PORT: String(port), COLLECTOR_DATA_DIR: dataDir, DATABASE_URL: '', EDGEWISE_APPS: 'crash:in:out' },
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

    const db = await openPglite(dataDir);
    const stored = new Set((await db.query<{ id: string }>('SELECT id FROM reports')).map((r) => r.id));
    const [window] = await db.query<{ reports: number }>('SELECT SUM(reports)::int AS reports FROM windows');
    await db.close();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Merged windows agree with the stored reports: the two writes committed together.
    expect(window!.reports).toBe(stored.size);
  }, 120_000);
});
