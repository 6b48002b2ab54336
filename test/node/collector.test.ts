import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../../models/scripts/weather-mlp.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
const INGEST = 'test-ingest';
const READ = 'test-read';
/** Both storage back ends: embedded PGlite always; PostgreSQL when DATABASE_URL is set (.ci/run starts one). */
const databases: Array<[string, string | undefined]> = [['PGlite', undefined]];
if (process.env.DATABASE_URL) databases.push(['PostgreSQL', process.env.DATABASE_URL]);

for (const [databaseName, databaseUrl] of databases) {
describe(`collector over real HTTP and ${databaseName}`, () => {
let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({
    port: 0,
    databaseUrl,
    dataDir: undefined, // PGlite in memory
    apps: [{ app: `test-${randomUUID()}`, ingestKey: INGEST, readKey: READ }],
    k: 3,
    bodyLimit: 64 * 1024,
    ratePerMinute: 100_000,
  });
}, 60_000);
afterAll(() => collector?.close());

const get = async (path: string, key = READ) => {
  const r = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};

/** One simulated device: its own model, monitor and uplink, fed real weather rows. */
async function device(rows: number[][]) {
  const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
  for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
  const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: INGEST, source: model, model: 'weather', modelVersion: '1.0.0', outbox: new MemoryOutbox() });
  await uplink.collect();
  return uplink.flush();
}

describe('reports, drift, metrics, auth', () => {
  it('withholds drift below k devices, then reports drift of the merged summer population', async () => {
    expect(await device(weatherRows((d) => d.startsWith('2014-06')))).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect((await get('/v1/drift?model=weather&version=1.0.0')).body).toMatchObject({ withheld: true, reports: 1 });
    const baseline = await readFile(`${dir}baseline.json`);
    const put = await fetch(`${collector.url}/v1/baselines/weather/1.0.0`, { method: 'PUT', body: baseline, headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' } });
    expect(put.status).toBe(204);
    await device(weatherRows((d) => d.startsWith('2014-07')));
    await device(weatherRows((d) => d.startsWith('2014-08')));
    const drift = (await get('/v1/drift?model=weather&version=1.0.0')).body;
    expect(drift.reports).toBe(3);
    expect(drift.counters.runs).toBe(30 + 31 + 31);
    const temp = drift.features.find((f: { feature: string }) => f.feature === 'temp_max');
    expect(temp.drifted).toBe(true);
    expect(temp.count).toBe(92);
    expect(drift.histograms.temp_max.reduce((a: number, b: number) => a + b, 0)).toBe(92);
  });

  it('exposes Prometheus metrics and a dashboard page', async () => {
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/edgewise_reports_total\{model="weather",version="1.0.0"\} 3/);
    expect(metrics.body).toMatch(/edgewise_inference_latency_ms_bucket\{model="weather",version="1.0.0",le="\+Inf"\} 92/);
    expect(metrics.body).toMatch(/edgewise_feature_drift_js\{model="weather",version="1.0.0",feature="temp_max"\} 0\.\d+/);
    const page = await fetch(`${collector.url}/`);
    expect(await page.text()).toMatch(/<title>Edgewise collector<\/title>/);
  });

  it('authenticates: ingest keys cannot read, read keys cannot ingest', async () => {
    expect((await get('/v1/models', INGEST)).status).toBe(401);
    const r = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' } });
    expect(r.status).toBe(401);
    expect((await r.json()).error).toMatch(/unknown ingest key/);
  });
});
});
}

describe('released histograms with Laplace noise', () => {
  it('perturbs released counts when COLLECTOR_EPSILON is set, and leaves drift computed on exact counts', async () => {
    const { driftFor, openPglite } = await import('@edgewise/collector');
    const db = await openPglite();
    const body = { counters: { runs: 100, errors: 0, rejected: 0, fallbacks: 0 }, backends: {}, topClasses: {}, latencyMs: { counts: [100], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 }, confidence: { counts: [100], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 }, features: { f: { kind: 'numeric', counts: [50, 50], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 } } };
    await db.query(`INSERT INTO windows (app, model, model_version, bucket, reports, body) VALUES ('a','m','1',0,10,$1)`, [JSON.stringify(body)]);
    const config = { k: 5, epsilon: 0.1 } as never;
    const released = await Promise.all(Array.from({ length: 5 }, () => driftFor(db, config, 'a', 'm', '1')));
    const firstBins = released.map((r) => (r as { histograms: Record<string, number[]> }).histograms.f![0]);
    expect(new Set(firstBins).size).toBeGreaterThan(1);
    expect(released[0]).toMatchObject({ noise: { mechanism: 'laplace', epsilon: 0.1 }, counters: { runs: 100 } });
    await db.close();
  });
});
