import { readFile } from 'node:fs/promises';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import type { Report } from '@edgewise/wire';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceReport, send, weatherBaselineFile } from '../collector-client.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

/**
 * 10,000 generated bad requests (fast-check, fixed seed), each of a kind with a documented answer,
 * against a real collector over HTTP, with real devices' reports interleaved. Afterwards: every
 * answer was the documented one, nothing of the bad requests was stored, and a normal ingest and a
 * drift read take about as long as before the flood (measured in the same run).
 */
const APP = { app: 'fuzz', ingestKey: 'in', readKey: 'out', adminKey: 'admin' };
const BAD = 10_000;
const RUNS = 5;
const DAY = 86_400_000;
const BODY_LIMIT = 64 * 1024;

type Request = { kind: string; body: string; headers: Record<string, string>; status: number };
type Mutation = fc.Arbitrary<{ kind: string; status: number; apply(r: any): unknown; raw?: (text: string) => string; headers?: Record<string, string> }>;

const STRING_FIELDS = ['model', 'modelVersion', 'id'];
const NUMBER_FIELDS = ['v', 'window.start', 'window.end', 'counters.runs', 'counters.errors', 'latencyMs.missing', 'confidence.nan', 'features.temp_max.aboveRange'];
const OBJECT_FIELDS = ['window', 'counters', 'backends', 'topClasses', 'features', 'latencyMs', 'features.wind'];
const ALL_FIELDS = ['v', 'id', 'model', 'modelVersion', 'window', 'counters', 'backends', 'latencyMs', 'confidence', 'topClasses', 'features'];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString', '__defineGetter__'];

function set(target: any, path: string, value: unknown) {
  const parts = path.split('.');
  let o = target;
  for (const p of parts.slice(0, -1)) o = o[p];
  if (value === undefined) delete o[parts.at(-1)!];
  else o[parts.at(-1)!] = value;
}

const ascii = fc.string({ maxLength: 20 });
const control = fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 127, max: 159 })).map((c) => String.fromCharCode(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** A key no report may carry: a control character or an unpaired surrogate inside, a prototype name, empty, or too long. */
const badKey = fc.oneof(
  fc.tuple(ascii, fc.oneof(control, loneSurrogate), ascii).map(([a, bad, b]) => a + bad + b),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constant(''),
  fc.integer({ min: 129, max: 400 }).map((n) => 'k'.repeat(n)),
);

const mutations: Mutation[] = [
  fc.record({ path: fc.constantFrom(...STRING_FIELDS), value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(ascii, { maxLength: 2 })) }).map(({ path, value }) => ({ kind: 'wrong type (string field)', status: 400, apply: (r) => set(r, path, value) })),
  fc.record({ path: fc.constantFrom(...NUMBER_FIELDS), value: fc.oneof(ascii, fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({})) }).map(({ path, value }) => ({ kind: 'wrong type (number field)', status: 400, apply: (r) => set(r, path, value) })),
  fc.record({ path: fc.constantFrom(...OBJECT_FIELDS), value: fc.oneof(ascii, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })) }).map(({ path, value }) => ({ kind: 'wrong type (object field)', status: 400, apply: (r) => set(r, path, value) })),
  fc.record({ path: fc.constantFrom('counters.runs', 'counters.fallbacks', 'backends.wasm', 'latencyMs.counts.0', 'features.wind.counts.3', 'topClasses.0'), value: fc.oneof(fc.integer({ min: -1e9, max: -1 }), fc.double({ min: 0.001, max: 1e6, noInteger: true, noNaN: true }), fc.constant(2 ** 53 + 2)) }).map(({ path, value }) => ({ kind: 'bad number', status: 400, apply: (r) => set(r, path, value) })),
  fc.constant({ kind: 'infinite number', status: 400, apply: () => undefined, raw: (t: string) => t.replace(`"runs":${RUNS}`, '"runs":1e999') }),
  fc.record({ where: fc.constantFrom('model', 'modelVersion', 'backends', 'topClasses', 'features', 'categories'), key: badKey }).map(({ where, key }) => ({
    kind: `bad key in ${where}`,
    status: 400,
    apply: (r: any) => {
      if (where === 'model' || where === 'modelVersion') r[where] = key;
      else if (where === 'features') r.features = { [key]: r.features.wind };
      else if (where === 'categories') r.features.sky = { kind: 'categorical', counts: { [key]: 1 }, missing: 0 };
      else r[where] = { [key]: 1 };
    },
  })),
  fc.constantFrom('x', 'abc', '01', '-1', '1.5', ' 2').map((key) => ({ kind: 'class key not an index', status: 400, apply: (r: any) => void (r.topClasses = { [key]: 1 }) })),
  fc.record({ at: fc.constantFrom('', 'window', 'counters', 'latencyMs', 'features.temp_max'), key: ascii.filter((k) => !['v', 'id', 'model', 'modelVersion', 'baseline', 'window', 'counters', 'backends', 'latencyMs', 'confidence', 'topClasses', 'features', 'start', 'end', 'runs', 'errors', 'rejected', 'fallbacks', 'counts', 'missing', 'nan', 'belowRange', 'aboveRange', 'kind'].includes(k)) }).map(({ at, key }) => ({
    kind: 'extra field',
    status: 400,
    apply: (r: any) => {
      const o = at ? at.split('.').reduce((x: any, p) => x[p], r) : r;
      Object.defineProperty(o, key, { value: [[1.5, 2.5]], enumerable: true, configurable: true, writable: true });
    },
  })),
  fc.constantFrom(...ALL_FIELDS).map((path) => ({ kind: 'missing field', status: 400, apply: (r: any) => set(r, path, undefined) })),
  fc.record({ series: fc.constantFrom('latency', 'backends', 'confidence', 'classes', 'feature'), extra: fc.integer({ min: 1, max: 1e9 }) }).map(({ series, extra }) => ({
    kind: `count beyond runs (${series})`,
    status: 422,
    apply: (r: any) => {
      const perItem = RUNS * 64;
      if (series === 'latency') r.latencyMs.counts[0] += extra;
      else if (series === 'backends') r.backends.wasm += extra;
      else if (series === 'confidence') r.confidence.counts[3] += perItem + extra;
      else if (series === 'classes') r.topClasses['0'] += perItem + extra;
      else r.features.temp_min.counts[2] += perItem + extra;
    },
  })),
  fc.integer({ min: 1, max: 1e9 }).map((extra) => ({ kind: 'too many runs', status: 422, apply: (r: any) => void (r.counters.errors = 1_000_000 + extra) })),
  fc.integer({ min: 1, max: 1001 }).filter((n) => n !== 10).map((bins) => ({ kind: 'layout not the baseline\'s', status: 422, apply: (r: any) => void (r.features.temp_max = { kind: 'numeric', counts: Array.from({ length: bins }, (_, i) => (i === 0 ? RUNS : 0)), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 }) })),
  fc.constant({ kind: 'kind not the baseline\'s', status: 422, apply: (r: any) => void (r.features.wind = { kind: 'categorical', counts: { calm: RUNS }, missing: 0 }) }),
  fc.integer({ min: 1, max: 365 * DAY }).map((ahead) => ({ kind: 'window in the future', status: 422, apply: (r: any) => void (r.window = { start: 0, end: Date.now() + DAY + 3_600_000 + ahead }) })),
  fc.integer({ min: 0, max: 300 * DAY }).map((ago) => ({ kind: 'window past retention', status: 422, apply: (r: any) => void (r.window = { start: 0, end: Math.max(0, Date.now() - 91 * DAY - ago) }) })),
  fc.integer({ min: 1, max: 1e6 }).map((d) => ({ kind: 'window backwards', status: 400, apply: (r: any) => void (r.window = { start: r.window.end + d, end: r.window.end }) })),
  fc.integer({ min: 0, max: 400 }).map((cut) => ({ kind: 'truncated JSON', status: 400, apply: () => undefined, raw: (t: string) => t.slice(0, Math.min(cut, t.length - 1)) })),
  fc.constantFrom('model=m&runs=3', '{', '[', 'null', '"report"', '42', '[{"v":1}]').map((text) => ({ kind: 'not a report object', status: 400, apply: () => undefined, raw: () => text })),
  fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT * 3 }).map((n) => ({ kind: 'oversized', status: 413, apply: (r: any) => void (r.padding = 'x'.repeat(n)) })),
  fc.constantFrom<Record<string, string>>({ authorization: '' }, { authorization: 'Bearer nope' }, { authorization: 'Basic aW46' }).map((headers) => ({ kind: 'no or unknown key', status: 401, apply: () => undefined, headers })),
  // A valid key of another role: known, so 403 (the answer says which key is needed).
  fc.constantFrom<Record<string, string>>({ authorization: 'Bearer out' }, { authorization: 'Bearer admin' }).map((headers) => ({ kind: 'a read or admin key posting', status: 403, apply: () => undefined, headers })),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded').map((type) => ({ kind: 'wrong content type', status: 415, apply: () => undefined, headers: { 'content-type': type } })),
];

function badRequests(seed: number): Request[] {
  return fc.sample(fc.oneof(...mutations), { numRuns: BAD, seed }).map((m) => {
    const r = deviceReport(RUNS) as Report & Record<string, unknown>;
    m.apply(r);
    const text = JSON.stringify(r);
    return { kind: m.kind, status: m.status, body: m.raw ? m.raw(text) : text, headers: { 'content-type': 'application/json', authorization: `Bearer ${APP.ingestKey}`, ...m.headers } };
  });
}

for (const databaseName of ['PGlite', 'PostgreSQL'] as const) {
  describe.skipIf(databaseName === 'PostgreSQL' && !postgresAvailable('collector-fuzz'))(`collector under ${BAD} generated bad requests (${databaseName})`, () => {
    let collector: RunningCollector;
    let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    beforeAll(async () => {
      fresh = databaseName === 'PostgreSQL' ? await freshPostgresDatabase('collector-fuzz') : undefined;
      collector = await startCollector({ port: 0, databaseUrl: fresh?.url, dataDir: undefined, apps: [APP], k: 1, privacy: false, bodyLimit: BODY_LIMIT, ratePerMinute: 1_000_000_000 });
      const put = await send(collector.url, '/v1/baselines/weather/1.0.0', { method: 'PUT', key: APP.adminKey, body: await readFile(weatherBaselineFile, 'utf8') });
      expect(put.status).toBe(204);
    }, 60_000);
    afterAll(async () => {
      await collector?.close();
      await fresh?.drop();
    });

    const accepted: Report[] = [];
    const ingest = async () => {
      const r = deviceReport(RUNS);
      const res = await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(r) });
      expect(res.status).toBe(202);
      accepted.push(r);
    };
    const read = () => send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: APP.readKey });
    async function medians() {
      const times = { ingest: [] as number[], read: [] as number[] };
      for (let i = 0; i < 30; i++) {
        let t = performance.now();
        await ingest();
        times.ingest.push(performance.now() - t);
        t = performance.now();
        expect((await read()).status).toBe(200);
        times.read.push(performance.now() - t);
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
      return { ingest: median(times.ingest), read: median(times.read) };
    }

    it('answers each with its documented status, stores none of them, keeps accepting devices, and does not slow down', async () => {
      const before = await medians();
      const requests = badRequests(databaseName === 'PGlite' ? 13 : 14);
      const replays = accepted.slice(0, 20);
      const wrong: string[] = [];
      const seen = new Map<string, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < requests.length) {
            const i = next++;
            const q = requests[i]!;
            if (i % 100 === 0) await ingest(); // real devices keep reporting during the flood
            if (i % 250 === 0) {
              const replay = await send(collector.url, '/v1/reports', { key: APP.ingestKey, body: JSON.stringify(replays[i % replays.length]) });
              if (replay.status !== 409) wrong.push(`replay: ${replay.status}`);
            }
            const response = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body: q.body, headers: q.headers });
            const text = await response.text();
            seen.set(q.kind, (seen.get(q.kind) ?? 0) + 1);
            let message = '';
            try {
              message = JSON.parse(text).error;
            } catch {
              // checked below
            }
            if (response.status !== q.status || !/\w{4,}/.test(message ?? '')) wrong.push(`${q.kind}: expected ${q.status}, got ${response.status} ${text.slice(0, 200)} for ${q.body.slice(0, 300)}`);
          }
        }),
      );
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(seen.size).toBeGreaterThanOrEqual(25);
      // Nothing of the bad requests was stored: the merged totals are exactly the devices' reports.
      const drift = (await read()).json;
      expect(drift.reports).toBe(accepted.length);
      expect(drift.counters.runs).toBe(accepted.length * RUNS);
      for (const feature of ['temp_max', 'temp_min', 'wind', 'precipitation']) expect(drift.histograms[feature].reduce((a: number, b: number) => a + b, 0)).toBe(accepted.length * RUNS);
      expect(Object.keys(drift.backends)).toEqual(['wasm']);
      const [ids] = await collector.db.query<{ n: number }>('SELECT count(*)::int AS n FROM report_ids');
      expect(ids!.n).toBe(accepted.length);
      const after = await medians();
      // Generous bounds (shared CI machine), but a flood that grew state would blow through them.
      expect(after.ingest).toBeLessThan(before.ingest * 4 + 10);
      expect(after.read).toBeLessThan(before.read * 4 + 10);
    }, 600_000);
  });
}
