/**
 * Collector throughput and read latency, measured from load generators in separate processes:
 *   - PGlite (embedded, in this process), PostgreSQL with 1 and with 3 collector processes
 *     (round-robin across them): reports/s, ingest p50/p99, and CPU per report of each part
 *     (collector, PostgreSQL backends, load generators), since they share this machine's cores;
 *   - GET /v1/drift latency (p50/p99) once the PostgreSQL database holds 1M merged reports.
 * Run: DATABASE_URL=postgres://… npm run bench:collector [-- --seconds 10 --total 1000000]
 * Load comes from wrk (C, a few µs of CPU per request) when it is installed, else from Node load
 * generators (~100–170 µs per request on this machine, which then compete with the collector for
 * the same 2 cores); `--generator node` forces those (`--reports N` per setup).
 * Without DATABASE_URL only PGlite runs. Heavy: run under flock /tmp/edgewise-heavy.lock.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openPostgres, startCollector, type Database } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { forkTs, spawnCollector, type CollectorProcess } from '../test/collector-processes.js';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../models/scripts/weather-mlp.js';
import type { LoadJob, LoadResult } from './collector-load.js';
import { haveWrk, wrkLoad } from './collector-wrk.js';

const FLAGS = ['--reports', '--total', '--generators', '--concurrency', '--hours', '--seconds', '--generator'];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  if (!FLAGS.includes(args[i]!)) throw new RangeError(`bench:collector: unknown argument "${args[i]}"; flags: ${FLAGS.join(', ')}`);
}
const generatorFlag = args.indexOf('--generator') >= 0 ? args[args.indexOf('--generator') + 1] : undefined;
if (generatorFlag !== undefined && generatorFlag !== 'wrk' && generatorFlag !== 'node') throw new RangeError(`bench:collector: --generator is wrk or node; received ${generatorFlag}`);
const GENERATOR = generatorFlag ?? (haveWrk() ? 'wrk' : 'node');
if (GENERATOR === 'wrk' && !haveWrk()) throw new Error('bench:collector: --generator wrk needs wrk (apt-get install wrk)');
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`bench:collector: ${name} needs a positive integer; received ${args[i + 1]}`);
  return n;
};
const REPORTS = flag('--reports', 30_000);
const TOTAL = flag('--total', 1_000_000);
const GENERATORS = flag('--generators', 2);
const CONCURRENCY = flag('--concurrency', 64);
/** Report windows end within this many hours before now (1: all in the current window). */
const HOURS = flag('--hours', 1);
/** With wrk: seconds of load per setup (wrk runs for a duration, not a count). */
const SECONDS = flag('--seconds', 10);

const dir = fileURLToPath(new URL('../models/generated/weather-mlp/', import.meta.url));
const baselineJson = await readFile(`${dir}baseline.json`, 'utf8');
const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
for (const row of weatherRows((d) => d.startsWith('2015-01'))) await model.run({ input: tensor('float32', row, [1, 4]) });
const { body } = await model.aggregates();
const sample = { v: 1, model: 'weather', modelVersion: '1.0.0', ...body };
const reportBytes = Buffer.byteLength(JSON.stringify({ ...sample, id: randomUUID(), window: { start: 0, end: Date.now() } }));
console.log(`report: ${reportBytes} bytes JSON (weather model: 4 numeric features on the baseline's bins, latency, confidence, classes, counters; ${body.counters.runs} runs)`);
console.log(
  GENERATOR === 'wrk'
    ? `load: wrk, ${GENERATORS * CONCURRENCY} keep-alive connections in all (one wrk per collector process); windows end within the last ${HOURS} h; ${SECONDS} s per setup\n`
    : `load: ${GENERATORS} Node generator processes × ${CONCURRENCY} keep-alive connections; windows end within the last ${HOURS} h; ${REPORTS} reports per setup\n`,
);

const MEASURED = GENERATOR === 'wrk' ? SECONDS : REPORTS;
const WARM_UP = GENERATOR === 'wrk' ? 2 : 2000;

const APP = { app: 'bench', ingestKey: 'bench-in', readKey: 'bench-out', adminKey: 'bench-admin' };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const TICKS = 100; // USER_HZ on Linux
/** CPU seconds (user + system) of a process, from /proc; 0 where unreadable. */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

interface Parts {
  collector: () => number;
  database: () => Promise<number>;
}

/** `amount`: reports with Node generators, seconds with wrk. */
async function load(urls: string[], amount: number, parts: Parts) {
  const [collector0, database0] = [parts.collector(), await parts.database()];
  const perReport = (cpu: number, n: number) => (cpu / n) * 1e6;
  if (GENERATOR === 'wrk') {
    const w = await wrkLoad(urls, amount, GENERATORS * CONCURRENCY, GENERATORS, sample, APP.ingestKey, HOURS);
    return {
      reportsPerSecond: w.requests / w.seconds,
      p50Ms: w.p50Ms,
      p99Ms: w.p99Ms,
      statuses: w.statuses,
      cpuMicrosPerReport: {
        collector: perReport(parts.collector() - collector0, w.requests),
        database: perReport((await parts.database()) - database0, w.requests),
        loadGenerator: perReport(w.cpuSeconds, w.requests),
      },
    };
  }
  const reports = amount;
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
  return {
    reportsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    cpuMicrosPerReport: {
      collector: perReport(parts.collector() - collector0, latencies.length),
      database: perReport((await parts.database()) - database0, latencies.length),
      loadGenerator: perReport(results.reduce((s, r) => s + r.cpuSeconds, 0), latencies.length),
    },
  };
}

async function registerBaseline(url: string) {
  const r = await fetch(`${url}/v1/baselines/weather/1.0.0`, { method: 'PUT', body: baselineJson, headers: { authorization: `Bearer ${APP.adminKey}`, 'content-type': 'application/json' } });
  if (r.status !== 204) throw new Error(`baseline: HTTP ${r.status} ${await r.text()}`);
}

const results: Record<string, unknown> = { reportBytes, generator: GENERATOR, seconds: GENERATOR === 'wrk' ? SECONDS : undefined, generators: GENERATORS, concurrency: CONCURRENCY, hours: HOURS, reportsPerSetup: REPORTS };
function line(name: string, r: Awaited<ReturnType<typeof load>>) {
  const bad = Object.entries(r.statuses).filter(([s]) => s !== '202');
  const c = r.cpuMicrosPerReport;
  console.log(
    `${name.padEnd(34)} ${r.reportsPerSecond.toFixed(0).padStart(6)} reports/s   p50 ${r.p50Ms.toFixed(1).padStart(6)} ms   p99 ${r.p99Ms.toFixed(1).padStart(6)} ms   ` +
      `CPU µs/report: collector ${c.collector.toFixed(0)}, database ${c.database.toFixed(0)}, load ${c.loadGenerator.toFixed(0)}` +
      (bad.length ? `   non-202: ${JSON.stringify(Object.fromEntries(bad))}` : ''),
  );
  results[name] = r;
}

{
  const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], ratePerMinute: 1e9, k: 1, privacy: false });
  await registerBaseline(collector.url);
  // PGlite runs inside the collector's process: its CPU is the collector's.
  const self = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  await load([collector.url], WARM_UP, { collector: self, database: async () => 0 });
  line('PGlite (embedded, in-process)', await load([collector.url], MEASURED, { collector: self, database: async () => 0 }));
  await collector.close();
}

if (process.env.DATABASE_URL) {
  const admin = await openPostgres(process.env.DATABASE_URL, { poolSize: 1 });
  const name = `edgewise_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const env = { ...(process.env.COLLECTOR_BATCH_CONCURRENCY ? { COLLECTOR_BATCH_CONCURRENCY: process.env.COLLECTOR_BATCH_CONCURRENCY } : {}), DATABASE_URL: url.toString(), EDGEWISE_APPS: `${APP.app}:${APP.ingestKey}:${APP.readKey}:${APP.adminKey}`, COLLECTOR_PRIVACY: 'off', COLLECTOR_RATE_PER_MINUTE: '1000000000', COLLECTOR_K: '1' };
  let processes: CollectorProcess[] = [];
  let target: Database | undefined;
  try {
    target = await openPostgres(url.toString(), { poolSize: 1 });
    // The collectors' backends in this database (a shared server may serve others too).
    const backends = async () => (await target!.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'edgewise-collector'`, [name])).reduce((s, r) => s + cpuOf(r.pid), 0);
    for (const n of [1, 3]) {
      processes = await Promise.all(Array.from({ length: n }, () => spawnCollector(env)));
      await registerBaseline(processes[0]!.url);
      const collectors = () => processes.reduce((s, p) => s + cpuOf(p.child.pid), 0);
      // A short warm-up: pools connected, statements prepared, JIT warm.
      await load(processes.map((p) => p.url), WARM_UP, { collector: collectors, database: backends });
      line(`PostgreSQL, ${n} collector process${n > 1 ? 'es' : ''}`, await load(processes.map((p) => p.url), MEASURED, { collector: collectors, database: backends }));
      if (n === 1) await Promise.all(processes.map((p) => p.stop()));
    }
    const have = async () => (await target!.query<{ n: number }>('SELECT (SELECT COALESCE(SUM(reports), 0) FROM window_totals) + (SELECT COALESCE(SUM(reports), 0) FROM pending_reports) AS n'))[0]!.n;
    const before = Number(await have());
    const collectors = () => processes.reduce((s, p) => s + cpuOf(p.child.pid), 0);
    // With wrk (timed, not counted) the fill repeats, sized by the last rate, until TOTAL is reached.
    for (let held = before, rate = (results['PostgreSQL, 3 collector processes'] as { reportsPerSecond: number }).reportsPerSecond; held < TOTAL; ) {
      const missing = TOTAL - held;
      const fill = await load(processes.map((p) => p.url), GENERATOR === 'wrk' ? Math.max(2, Math.ceil(missing / rate)) : missing, { collector: collectors, database: backends });
      rate = fill.reportsPerSecond;
      const now = Number(await have());
      console.log(`filled ${now - held} more through the same HTTP path: ${fill.reportsPerSecond.toFixed(0)} reports/s (p99 ${fill.p99Ms.toFixed(1)} ms)`);
      held = now;
      results.fill = fill;
      if (GENERATOR === 'node') break;
    }
    // Reads once the rollup caught up (the reads are exact either way; this times the rollups).
    for (let i = 0; i < 600 && Number((await target.query<{ n: number }>('SELECT count(*) AS n FROM pending_reports'))[0]!.n) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const reads: number[] = [];
    let merged = 0;
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const r = await fetch(`${processes[i % processes.length]!.url}/v1/drift?model=weather&version=1.0.0`, { headers: { authorization: `Bearer ${APP.readKey}` } });
      const json = (await r.json()) as { reports: number; windows: unknown[] };
      if (i >= 20) reads.push(performance.now() - t);
      merged = json.reports;
    }
    reads.sort((a, b) => a - b);
    const [rows] = await target.query<{ windows: number; counts: number }>('SELECT (SELECT count(*) FROM window_totals) AS windows, (SELECT count(*) FROM window_counts) AS counts');
    const drift = { mergedReports: merged, windows: Number(rows!.windows), countRows: Number(rows!.counts), p50Ms: percentile(reads, 0.5), p99Ms: percentile(reads, 0.99) };
    results.driftRead = drift;
    console.log(`GET /v1/drift after ${merged} merged reports (${drift.windows} windows, ${drift.countRows} count rows): p50 ${drift.p50Ms.toFixed(1)} ms, p99 ${drift.p99Ms.toFixed(1)} ms (200 reads)`);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await target?.close();
    // BENCH_KEEP_DB=1 keeps the filled database for inspection (EXPLAIN the reads).
    if (process.env.BENCH_KEEP_DB) console.log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
} else {
  console.log('PostgreSQL skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:54329/postgres) to measure it.');
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/collector.json', import.meta.url)), JSON.stringify(results, null, 2));
