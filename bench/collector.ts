/**
 * Collector throughput on loopback: reports/s and latency percentiles with 16 concurrent senders,
 * on embedded PGlite and (when DATABASE_URL is set) PostgreSQL; plus the size of a real report.
 * Run: npm run bench:collector   (DATABASE_URL=postgres://… to include PostgreSQL)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { REPORT_VERSION } from '@edgewise/wire';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../models/scripts/weather-mlp.js';

const dir = fileURLToPath(new URL('../models/generated/weather-mlp/', import.meta.url));
const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
for (const row of weatherRows((d) => d.startsWith('2015'))) await model.run({ input: tensor('float32', row, [1, 4]) });
const { body } = await model.aggregates();
const sample = { v: REPORT_VERSION, id: randomUUID(), model: 'weather', modelVersion: '1.0.0', window: { start: 0, end: Date.now() }, ...body };
const reportBytes = Buffer.byteLength(JSON.stringify(sample));
console.log(`report size: ${reportBytes} bytes JSON (4 numeric features, 10 bins each; latency, confidence, classes, counters)`);

const results: Record<string, unknown> = { reportBytes };
const targets: Array<[string, string | undefined]> = [['PGlite (embedded)', undefined]];
if (process.env.DATABASE_URL) targets.push(['PostgreSQL', process.env.DATABASE_URL]);
for (const [name, databaseUrl] of targets) {
  const collector = await startCollector({ port: 0, databaseUrl, dataDir: undefined, apps: [{ app: `bench-${randomUUID()}`, ingestKey: 'in', readKey: 'out' }], ratePerMinute: 1e9 });
  const N = 3000;
  const latencies: number[] = [];
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (sent < N) {
        sent++;
        const t = performance.now();
        const r = await fetch(`${collector.url}/v1/reports`, {
          method: 'POST',
          body: JSON.stringify({ ...sample, id: randomUUID(), window: { start: 0, end: Date.now() - Math.floor(Math.random() * 10) * 3_600_000 } }),
          headers: { 'content-type': 'application/json', authorization: 'Bearer in' },
        });
        if (r.status !== 202) throw new Error(`${name}: HTTP ${r.status} ${await r.text()}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.floor(latencies.length * p)]!;
  results[name] = { reportsPerSecond: N / seconds, p50Ms: q(0.5), p99Ms: q(0.99) };
  console.log(`${name}: ${(N / seconds).toFixed(0)} reports/s, p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms (${N} reports, 16 concurrent, loopback)`);
  await collector.close();
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/collector.json', import.meta.url)), JSON.stringify(results, null, 2));
