/**
 * Utility of the default privacy, measured: 1,000 simulated devices report one window each to a
 * real collector (PGlite, over HTTP, default privacy: ε = 1 per window, bound 20, k = 5); the
 * window closes, and population drift is read from the stored noisy release. Devices drawn from
 * the baseline's own data (Seattle) should show no drift; devices drawn from New York's weather
 * should. Every figure is printed beside the same drift computed from the exact (unnoised) counts.
 *
 *   npm run bench:privacy                 # 20 repetitions
 *   npm run bench:privacy -- --reps 5
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCollector } from '@edgewise/collector';
import { jensenShannon, NumericSketch, parseCsv } from '@edgewise/drift';
import { seededRandom } from '@edgewise/model-tools';
import { protectCounts } from '@edgewise/uplink';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, gridWindowAt, type Report } from '@edgewise/wire';
import { packageFile } from '../models/scripts/package-file.js';
import { send, weatherBaseline } from '../test/collector-client.js';
import { token } from '../test/privacy-client.js';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '20' }, devices: { type: 'string', default: '1000' } } });
const REPS = Number(args.reps);
const DEVICES = Number(args.devices);
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
const HOUR = 3_600_000;

const csv = parseCsv(readFileSync(packageFile('vega-datasets', 'data/weather.csv'), 'utf8'));
const rowsOf = (city: string) => csv.location!.flatMap((l, i) => (l === city ? [FEATURES.map((f) => Number(csv[f]![i]))] : []));
const CITIES = { Seattle: rowsOf('Seattle'), 'New York': rowsOf('New York') };
const baseline = weatherBaseline();
const APP = { app: 'bench', ingestKey: 'bench-in', readKey: 'bench-out', adminKey: 'bench-admin' };

/** One device's window: 20–60 days drawn from its city, counted into the baseline's bins as the monitor does. */
function deviceBody(rows: number[][], rand: () => number) {
  const runs = 20 + Math.floor(rand() * 41);
  const sketches = FEATURES.map((f) => {
    const b = baseline.features[f]!;
    return new NumericSketch(b.kind === 'numeric' ? b.edges : []);
  });
  for (let r = 0; r < runs; r++) {
    const row = rows[Math.floor(rand() * rows.length)]!;
    row.forEach((v, i) => sketches[i]!.update(v));
  }
  const binned = (s: NumericSketch) => ({ counts: [...s.binCounts!], missing: s.missing, nan: s.nan, belowRange: s.belowRange, aboveRange: s.aboveRange });
  const spread = (bins: number, at: number) => Array.from({ length: bins }, (_, i) => (i === at ? runs : 0));
  return {
    counters: { runs, errors: 0, rejected: 0, fallbacks: 0 },
    backends: { wasm: runs },
    latencyMs: { counts: spread(LATENCY_EDGES_MS.length + 1, 4), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
    confidence: { counts: spread(CONFIDENCE_EDGES.length + 1, 15), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
    topClasses: { '2': runs },
    features: Object.fromEntries(FEATURES.map((f, i) => [f, { kind: 'numeric' as const, ...binned(sketches[i]!) }])),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const time = { at: Date.UTC(2026, 11, 2, 0, 10) };
const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], ratePerMinute: 1e9, now: () => time.at });
const results: Record<string, { noisy: Record<string, number[]>; exact: Record<string, number[]>; drifted: number[]; withheld: number; scale?: number }> = {};
try {
  for (const [city, rows] of Object.entries(CITIES)) {
    const r = (results[city] = { noisy: Object.fromEntries(FEATURES.map((f) => [f, [] as number[]])), exact: Object.fromEntries(FEATURES.map((f) => [f, [] as number[]])), drifted: [] as number[], withheld: 0, scale: undefined as number | undefined });
    for (let rep = 0; rep < REPS; rep++) {
      const version = `${city}-${rep}`;
      time.at += 2 * HOUR;
      await send(collector.url, `/v1/baselines/weather/${encodeURIComponent(version)}`, { method: 'PUT', key: APP.adminKey, body: JSON.stringify(baseline) });
      const rand = seededRandom(rep * 7919 + city.length);
      const exact = Object.fromEntries(FEATURES.map((f) => [f, baseline.features[f]!.kind === 'numeric' ? new Array<number>((baseline.features[f] as { edges: number[] }).edges.length + 1).fill(0) : []]));
      for (let d = 0; d < DEVICES; d++) {
        const body = protectCounts(deviceBody(rows, rand));
        for (const f of FEATURES) (body.features[f] as { counts: number[] }).counts.forEach((c, i) => (exact[f]![i]! += c));
        const report: Report = { v: 1, id: crypto.randomUUID(), model: 'weather', modelVersion: version, window: gridWindowAt(time.at), token: token(), ...body };
        const answer = await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(report) });
        if (answer.status !== 202) throw new Error(`report refused: ${answer.status} ${JSON.stringify(answer.json)}`);
      }
      time.at += HOUR + 331_000;
      const drift = (await send(collector.url, `/v1/drift?model=weather&version=${encodeURIComponent(version)}`, { key: APP.readKey })).json;
      if (drift.withheld) {
        r.withheld++;
        continue;
      }
      r.scale = drift.noise.scale;
      let drifted = 0;
      for (const f of FEATURES) {
        const released = drift.features.find((x: { feature: string }) => x.feature === f);
        r.noisy[f]!.push(released?.jensenShannon ?? NaN);
        r.exact[f]!.push(jensenShannon((baseline.features[f] as { counts: number[] }).counts, exact[f]!));
        if (released?.drifted) drifted++;
      }
      r.drifted.push(drifted);
    }
  }
} finally {
  await collector.close();
}

console.log(`\nPrivacy utility: ${DEVICES} devices × one 1 h window, ${REPS} repetitions per city, collector defaults (ε = 1 per window, δ = 0, contribution bound 20, k = 5); drift threshold JS ≥ 0.1`);
for (const [city, r] of Object.entries(results)) {
  console.log(`\n${city}${city === 'Seattle' ? ' (the baseline\'s own data: no drift expected)' : ' (another city: drift expected)'} — Laplace scale per count ${r.scale}, windows withheld ${r.withheld}/${REPS}`);
  console.log('feature        exact JS (mean)   released JS mean [5%, 95%]   released − exact (mean)');
  for (const f of FEATURES) {
    const [n, e] = [r.noisy[f]!, r.exact[f]!];
    const diff = n.map((x, i) => x - e[i]!);
    console.log(`${f.padEnd(14)} ${mean(e).toFixed(4).padStart(8)}          ${mean(n).toFixed(4)} [${quantile(n, 0.05).toFixed(4)}, ${quantile(n, 0.95).toFixed(4)}]      ${mean(diff) >= 0 ? '+' : ''}${mean(diff).toFixed(4)}`);
  }
  const counts = r.drifted;
  console.log(`features flagged drifted per window: ${counts.join(' ')}  (mean ${mean(counts).toFixed(2)} of ${FEATURES.length}); windows reporting drift: ${counts.filter((c) => c > 0).length}/${counts.length}`);
}
