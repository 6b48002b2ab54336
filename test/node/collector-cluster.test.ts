import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Baseline } from '@edgewise/drift';
import { FileOutbox } from '@edgewise/node';
import { MemoryOutbox, createUplink, fetchTransport, type Outbox, type Transport, type UplinkEvent } from '@edgewise/uplink';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCollector, type CollectorProcess } from '../collector-processes.js';
import { seeded, syntheticSource } from '../synthetic-aggregates.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

const baselineFile = fileURLToPath(new URL('../../models/generated/weather-mlp/baseline.json', import.meta.url));
const APP = { app: 'fleet', ingestKey: 'fleet-in', readKey: 'fleet-out', adminKey: 'fleet-admin' };
const CLIENTS = 50;
/** Disk outboxes (FileOutbox) for this many devices, memory for the rest (disk I/O is slow here). */
const ON_DISK = 5;
const VERSIONS = Array.from({ length: 10 }, (_, i) => `1.0.${i}`);

/**
 * The load balancer, in the client: each send goes to the next collector in turn. A collector
 * that is gone refuses the connection; the uplink counts that as a network error and retries, and
 * its next attempt goes to the next collector.
 */
class RoundRobin implements Transport {
  private next = Math.floor(Math.random() * 1000);
  constructor(readonly urls: string[]) {}
  send(_url: string, body: string, headers: Record<string, string>) {
    return fetchTransport.send(`${this.urls[this.next++ % this.urls.length]}/v1/reports`, body, headers);
  }
}

interface Fleet {
  /** Every report id the devices put in their outboxes, with its runs. */
  made: Map<string, number>;
  events: UplinkEvent[];
  produced: { reports: number; runs: number; featureValues: number };
}

/**
 * 50 devices with real uplinks and outboxes (some on disk, the rest in memory), each collecting and
 * flushing reports in a loop until `reports` were made in all, then flushing until every outbox is
 * empty. `midway` runs once, when a third of the reports were acknowledged.
 */
async function runFleet(reports: number, transport: RoundRobin, midway: () => Promise<void>): Promise<Fleet> {
  const baseline = JSON.parse(await readFile(baselineFile, 'utf8')) as Baseline;
  const made = new Map<string, number>();
  const events: UplinkEvent[] = [];
  const produced = { reports: 0, runs: 0, featureValues: 0 };
  let acknowledged = 0;
  let fired: Promise<void> | undefined;
  const dirs = await Promise.all(Array.from({ length: ON_DISK }, () => mkdtemp(join(tmpdir(), 'edgewise-fleet-'))));
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const { source, produced: mine } = syntheticSource(baseline, seeded(c + 1));
      const outbox: Outbox = c < ON_DISK ? new FileOutbox(dirs[c]!) : new MemoryOutbox();
      const uplink = createUplink({
        endpoint: 'http://collectors.invalid/v1/reports',
        ingestKey: APP.ingestKey,
        source,
        model: 'weather',
        modelVersion: VERSIONS[c % VERSIONS.length]!,
        outbox,
        transport,
        backoff: { baseMs: 10, maxMs: 200 },
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'sent' && ++acknowledged === Math.floor(reports / 3)) fired ??= midway();
        },
      });
      const quota = reports / CLIENTS;
      for (let i = 0; i < quota; i++) {
        const report = await uplink.collect();
        made.set(report!.id, report!.counters.runs);
        const { pending } = await uplink.flush();
        if (pending > 0) await new Promise((r) => setTimeout(r, uplink.nextDelay()));
      }
      while ((await uplink.flush()).pending > 0) await new Promise((r) => setTimeout(r, uplink.nextDelay()));
      produced.reports += mine.reports;
      produced.runs += mine.runs;
      produced.featureValues += mine.featureValues;
    }),
  );
  await fired;
  return { made, events, produced };
}

async function merged(url: string) {
  let reports = 0;
  let runs = 0;
  let featureValues = 0;
  for (const version of VERSIONS) {
    const d = await (await fetch(`${url}/v1/drift?model=weather&version=${version}`, { headers: { authorization: `Bearer ${APP.readKey}` } })).json();
    reports += d.reports;
    runs += d.counters.runs;
    for (const counts of Object.values(d.histograms) as number[][]) featureValues += counts.reduce((a, b) => a + b, 0);
  }
  return { reports, runs, featureValues };
}

function expectCountedOnce(reports: number, fleet: Fleet, total: { reports: number; runs: number; featureValues: number }) {
  const sent = fleet.events.filter((e) => e.type === 'sent');
  expect(fleet.events.filter((e) => e.type === 'dropped')).toEqual([]);
  expect(fleet.made.size).toBe(reports);
  // Each report left its outbox exactly once, acknowledged (202, or 409 "counted already").
  expect(sent.length).toBe(reports);
  expect(new Set(sent.map((e) => e.id)).size).toBe(reports);
  const retried = new Set(fleet.events.filter((e) => e.type === 'retry').map((e) => e.id));
  expect(retried.size).toBeGreaterThan(0); // the kill did interrupt deliveries
  for (const id of retried) expect(fleet.made.has(id)).toBe(true);
  const runs = [...fleet.made.values()].reduce((a, b) => a + b, 0);
  expect(runs).toBe(fleet.produced.runs);
  // Exactly: every acknowledged report counted, every retried one counted once.
  expect(total).toEqual({ reports, runs, featureValues: fleet.produced.featureValues });
}

const env = (extra: Record<string, string>) => ({
  EDGEWISE_APPS: `${APP.app}:${APP.ingestKey}:${APP.readKey}:${APP.adminKey}`,
  COLLECTOR_RATE_PER_MINUTE: '1000000000',
  COLLECTOR_K: '1',
  // One-second windows: fresh window rows keep appearing while the load runs.
  COLLECTOR_WINDOW_MS: '1000',
  ...extra,
});

async function registerBaselines(url: string) {
  const body = await readFile(baselineFile);
  for (const version of VERSIONS) {
    const r = await fetch(`${url}/v1/baselines/weather/${version}`, { method: 'PUT', body, headers: { authorization: `Bearer ${APP.adminKey}`, 'content-type': 'application/json' } });
    expect(r.status).toBe(204);
  }
}

describe.skipIf(!postgresAvailable('collector-cluster'))('3 collector processes on one PostgreSQL, 50 devices, one process killed (SIGKILL) mid-load', () => {
  let processes: CollectorProcess[] = [];
  let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await fresh?.drop();
  });

  it('counts every report exactly once: merged runs = runs of all reports made', async () => {
    fresh = await freshPostgresDatabase('collector-cluster');
    // Started together: the migration lock lets one migrate while the others wait.
    processes = await Promise.all([0, 1, 2].map(() => spawnCollector(env({ DATABASE_URL: fresh!.url }))));
    await registerBaselines(processes[0]!.url);
    const transport = new RoundRobin(processes.map((p) => p.url));
    const victim = processes[1]!;
    const fleet = await runFleet(20_000, transport, async () => {
      victim.child.kill('SIGKILL');
      await victim.exited;
    });
    expect(victim.child.signalCode).toBe('SIGKILL');
    const survivor = processes[0]!.url;
    expectCountedOnce(20_000, fleet, await merged(survivor));
    // The same answer from every live process (no per-process state in the counts).
    expect(await merged(processes[2]!.url)).toEqual(await merged(survivor));
  }, 180_000);
});

describe('one collector process on embedded PGlite (on disk), 50 devices, killed (SIGKILL) mid-load and restarted', () => {
  let current: CollectorProcess | undefined;
  afterAll(() => current?.stop());

  it('counts every report exactly once across the crash', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edgewise-pglite-'));
    const settings = env({ DATABASE_URL: '', COLLECTOR_DATA_DIR: dataDir });
    current = await spawnCollector(settings);
    await registerBaselines(current.url);
    const transport = new RoundRobin([current.url]);
    // Fewer reports: embedded PGlite is the small-deployment default, not the scale-out path.
    const fleet = await runFleet(5_000, transport, async () => {
      current!.child.kill('SIGKILL');
      await current!.exited;
      // Devices keep trying (connection refused) while it restarts on the same data.
      current = await spawnCollector(settings);
      transport.urls[0] = current.url;
    });
    expectCountedOnce(5_000, fleet, await merged(current.url));
  }, 180_000);
});
