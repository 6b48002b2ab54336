import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../../models/scripts/weather-mlp.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
const INGEST = 'test-ingest';
const READ = 'test-read';
const ADMIN = 'test-admin';
/** Both storage back ends: embedded PGlite always; PostgreSQL (a fresh database) when DATABASE_URL is set (.ci/run starts one). */
for (const databaseName of ['PGlite', 'PostgreSQL'] as const) {
describe.skipIf(databaseName === 'PostgreSQL' && !postgresAvailable('collector'))(`collector over real HTTP and ${databaseName}`, () => {
let collector: RunningCollector;
let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;

beforeAll(async () => {
  fresh = databaseName === 'PostgreSQL' ? await freshPostgresDatabase('collector') : undefined;
  const databaseUrl = fresh?.url;
  collector = await startCollector({
    port: 0,
    databaseUrl,
    dataDir: undefined, // PGlite in memory
    apps: [{ app: `test-${randomUUID()}`, ingestKey: INGEST, readKey: READ, adminKey: ADMIN }],
    k: 3,
    privacy: false, // exact live reads; privacy has its own suites
    bodyLimit: 64 * 1024,
    ratePerMinute: 100_000,
  });
}, 60_000);
afterAll(async () => {
  await collector?.close();
  await fresh?.drop();
});

const get = async (path: string, key = READ) => {
  const r = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};

/** One simulated device: its own model, monitor and uplink, fed real weather rows. */
async function device(rows: number[][]) {
  const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
  for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
  const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: INGEST, source: model, model: 'weather', modelVersion: '1.0.0', outbox: new MemoryOutbox(), privacy: false });
  await uplink.collect();
  return uplink.flush();
}

describe('reports, drift, metrics, auth', () => {
  it('withholds drift below k devices, then reports drift of the merged summer population', async () => {
    expect(await device(weatherRows((d) => d.startsWith('2014-06')))).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect((await get('/v1/drift?model=weather&version=1.0.0')).body).toMatchObject({ withheld: true, reports: 1 });
    const baseline = await readFile(`${dir}baseline.json`);
    const put = await fetch(`${collector.url}/v1/baselines/weather/1.0.0`, { method: 'PUT', body: baseline, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });
    expect(put.status).toBe(204);
    await device(weatherRows((d) => d.startsWith('2014-07')));
    await device(weatherRows((d) => d.startsWith('2014-08')));
    const drift = (await get('/v1/drift?model=weather&version=1.0.0')).body;
    expect(drift.reports).toBe(3);
    expect(drift.counters.runs).toBe(30 + 31 + 31);
    const temp = drift.features.find((f: { feature: string }) => f.feature === 'temp_max');
    expect(temp.drifted).toBe(true);
    // The June report came before the baseline was registered: its counters count, its feature
    // bins do not (there was no layout to check them against; its 202 said so).
    expect(temp.count).toBe(31 + 31);
    expect(drift.histograms.temp_max.reduce((a: number, b: number) => a + b, 0)).toBe(62);
    expect(drift.latencyMs.counts.reduce((a: number, b: number) => a + b, 0)).toBe(92);
  });

  it('exposes Prometheus metrics and a dashboard page', async () => {
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    // These devices report into the current window: /metrics releases closed windows only (values
    // of closed windows, promtool and a real Prometheus: collector-prometheus.test.ts).
    expect(metrics.body).toMatch(/^# TYPE edgewise_windows_released_total counter$/m);
    expect(metrics.body).toMatch(/^edgewise_windows_released_total\{model="weather",version="1.0.0"\} 0$/m);
    expect(metrics.body).not.toMatch(/edgewise_runs_total/);
    const page = await fetch(`${collector.url}/`);
    expect(await page.text()).toMatch(/<title>Edgewise collector<\/title>/);
  });

  it('authenticates: ingest keys cannot read, read keys cannot ingest', async () => {
    expect((await get('/v1/models', INGEST)).status).toBe(403);
    expect((await get('/v1/models', 'nobody')).status).toBe(401);
    const r = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' } });
    expect(r.status).toBe(403);
    expect((await r.json()).error).toMatch(/a read key may not do this: posting reports needs the app's ingest key/);
  });
});
});
}
