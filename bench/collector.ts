/**
 * Collector throughput and read latency, measured from load generators in separate processes:
 *   - PGlite (embedded, in this process), PostgreSQL with 1 and with 3 collector processes
 *     (round-robin across them): reports/s and ingest p50/p99;
 *   - GET /v1/drift latency (p50/p99) once the PostgreSQL database holds 1M merged reports.
 * Run: DATABASE_URL=postgres://… npm run bench:collector [-- --reports 30000 --total 1000000]
 * Without DATABASE_URL only PGlite runs. Heavy: run under flock /tmp/edgewise-heavy.lock.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openPostgres, startCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { spawnCollector, forkTs, type CollectorProcess } from '../test/collector-processes.js';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../models/scripts/weather-mlp.js';
import type { LoadJob, LoadResult } from './collector-load.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`bench:collector: ${name} needs a positive integer; received ${args[i + 1]}`);
  return n;
};
for (const a of args) if (a.startsWith('--') && !['--reports', '--total', '--generators', '--concurrency', '--hours'].includes(a)) throw new RangeError(`bench:collector: unknown flag ${a}; flags: --reports, --total, --generators, --concurrency`);
const REPORTS = flag('--reports', 30_000);
const TOTAL = flag('--total', 1_000_000);
const GENERATORS = flag('--generators', 2);
const CONCURRENCY = flag('--concurrency', 32);
const HOURS = flag("--hours", 24);

const dir = fileURLToPath(new URL('../models/generated/weather-mlp/', import.meta.url));
const baselineJson = (await import('node:fs/promises')).readFile(`${dir}baseline.json`);
const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
for (const row of weatherRows((d) => d.startsWith('2015-01'))) await model.run({ input: tensor('float32', row, [1, 4]) });
const { body } = await model.aggregates();
const sample = { v: 1, model: 'weather', modelVersion: '1.0.0', ...body };
const reportBytes = Buffer.byteLength(JSON.stringify({ ...sample, id: randomUUID(), window: { start: 0, end: Date.now() } }));
console.log(`report: ${reportBytes} bytes JSON (weather model: 4 numeric features × 10 bins, latency, confidence, classes, counters; ${body.counters.runs} runs)`);
console.log(`load: ${GENERATORS} generator processes × ${CONCURRENCY} keep-alive connections, window ends over ${HOURS} h; ${REPORTS} reports per setup\n`);

const APP = { app: 'bench', ingestKey: 'bench-in', readKey: 'bench-out' };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function load(urls: string[], reports: number): Promise<{ reportsPerSecond: number; p50Ms: number; p99Ms: number; statuses: Record<string, number> }> {
  const results = await Promise.all(
    Array.from({ length: GENERATORS }, (_, g) => {
      const child = forkTs(fileURLToPath(new URL('./collector-load.ts', import.meta.url)));
      const job: LoadJob = { urls: urls.map((_, i) => urls[(i + g) % urls.length]!), reports: Math.ceil(reports / GENERATORS), concurrency: CONCURRENCY, ingestKey: APP.ingestKey, sample, hours: HOURS };
      child.send(job);
      return new Promise<LoadResult>((resolve, reject) => {
        child.once('message', (r) => resolve(r as LoadResult));
        child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
      });
    }),
  );
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const seconds = Math.max(...results.map((r) => r.seconds));
  return { reportsPerSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), statuses };
}

async function registerBaseline(url: string) {
  const r = await fetch(`${url}/v1/baselines/weather/1.0.0`, { method: 'PUT', body: await baselineJson, headers: { authorization: `Bearer ${APP.readKey}`, 'content-type': 'application/json' } });
  if (r.status !== 204) throw new Error(`baseline: HTTP ${r.status} ${await r.text()}`);
}

const results: Record<string, unknown> = { reportBytes, generators: GENERATORS, concurrency: CONCURRENCY, reportsPerSetup: REPORTS };
const line = (name: string, r: Awaited<ReturnType<typeof load>>) => {
  const bad = Object.entries(r.statuses).filter(([s]) => s !== '202');
  console.log(`${name.padEnd(34)} ${r.reportsPerSecond.toFixed(0).padStart(6)} reports/s   p50 ${r.p50Ms.toFixed(1).padStart(6)} ms   p99 ${r.p99Ms.toFixed(1).padStart(6)} ms${bad.length ? `   non-202: ${JSON.stringify(Object.fromEntries(bad))}` : ''}`);
  results[name] = r;
};

{
  const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], ratePerMinute: 1e9, k: 1 });
  await registerBaseline(collector.url);
  line('PGlite (embedded, in-process)', await load([collector.url], REPORTS));
  await collector.close();
}

if (process.env.DATABASE_URL) {
  const admin = await openPostgres(process.env.DATABASE_URL, { poolSize: 1 });
  const name = `edgewise_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString(), EDGEWISE_APPS: `${APP.app}:${APP.ingestKey}:${APP.readKey}`, COLLECTOR_RATE_PER_MINUTE: '1000000000', COLLECTOR_K: '1' };
  let processes: CollectorProcess[] = [];
  try {
    for (const n of [1, 3]) {
      processes = await Promise.all(Array.from({ length: n }, () => spawnCollector(env)));
      await registerBaseline(processes[0]!.url);
      line(`PostgreSQL, ${n} collector process${n > 1 ? 'es' : ''}`, await load(processes.map((p) => p.url), REPORTS));
      if (n === 1) await Promise.all(processes.map((p) => p.stop()));
    }
    // Fill to TOTAL merged reports through the same HTTP path, then time reads.
    const target = await openPostgres(url.toString(), { poolSize: 1 });
    const have = (await target.query<{ reports: number }>('SELECT COALESCE(SUM(reports), 0)::bigint AS reports FROM window_totals'))[0]!.reports;
    await target.close();
    if (have < TOTAL) {
      const fill = await load(processes.map((p) => p.url), TOTAL - have);
      console.log(`filled ${TOTAL - have} more reports at ${fill.reportsPerSecond.toFixed(0)} reports/s (p99 ${fill.p99Ms.toFixed(1)} ms)`);
      results.fill = fill;
    }
    const reads: number[] = [];
    let merged = 0;
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const r = await fetch(`${processes[i % processes.length]!.url}/v1/drift?model=weather&version=1.0.0`, { headers: { authorization: `Bearer ${APP.readKey}` } });
      const json = (await r.json()) as { reports: number };
      if (i >= 20) reads.push(performance.now() - t);
      merged = json.reports;
    }
    reads.sort((a, b) => a - b);
    const drift = { mergedReports: merged, windows: HOURS, p50Ms: percentile(reads, 0.5), p99Ms: percentile(reads, 0.99) };
    results.driftRead = drift;
    console.log(`GET /v1/drift after ${merged} merged reports (${HOURS} windows): p50 ${drift.p50Ms.toFixed(1)} ms, p99 ${drift.p99Ms.toFixed(1)} ms (200 reads)`);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
} else {
  console.log('PostgreSQL skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:54329/postgres) to measure it.');
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/collector.json', import.meta.url)), JSON.stringify(results, (k, v) => (k === 'latencies' ? undefined : v), 2));
