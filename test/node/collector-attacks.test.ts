import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { buildBaseline } from '@edgewise/drift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceReport, send, weatherBaselineFile } from '../collector-client.js';
import { startTcpProxy } from '../tcp-proxy.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

/**
 * The attacks of issue 13, each against a real collector over HTTP, on embedded PGlite and on a
 * fresh PostgreSQL database. Each checks the documented status, that nothing of the attack was
 * stored, and that real devices' reports are still accepted.
 */
const A = { app: 'alpha', ingestKey: 'alpha-in', readKey: 'alpha-out', adminKey: 'alpha-admin' };
const B = { app: 'beta', ingestKey: 'beta-in', readKey: 'beta-out', adminKey: 'beta-admin' };

for (const databaseName of ['PGlite', 'PostgreSQL'] as const) {
  describe.skipIf(databaseName === 'PostgreSQL' && !postgresAvailable('collector-attacks'))(`collector attacks (${databaseName})`, () => {
    let collector: RunningCollector;
    let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    const post = (body: unknown, key = A.ingestKey) => send(collector.url, '/v1/reports', { key, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const drift = async (model = 'weather', version = '1.0.0') => (await send(collector.url, `/v1/drift?model=${encodeURIComponent(model)}&version=${encodeURIComponent(version)}`, { key: A.readKey })).json;
    const putBaseline = async (model: string, version: string, body: string) =>
      (await send(collector.url, `/v1/baselines/${encodeURIComponent(model)}/${encodeURIComponent(version)}`, { method: 'PUT', key: A.adminKey, body })).status;

    beforeAll(async () => {
      fresh = databaseName === 'PostgreSQL' ? await freshPostgresDatabase('collector-attacks') : undefined;
      collector = await startCollector({ port: 0, databaseUrl: fresh?.url, dataDir: undefined, apps: [A, B], k: 1, privacy: false, ratePerMinute: 1_000_000_000 });
    }, 60_000);
    afterAll(async () => {
      await collector?.close();
      await fresh?.drop();
    });

    it('layout poisoning: a planted layout is ignored without a baseline and refused with one; real devices are accepted throughout', async () => {
      const planted = deviceReport(4, { modelVersion: 'poison-1' });
      planted.features.temp_max = { kind: 'numeric', counts: [4, 0, 0], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
      const first = await post(planted);
      expect(first.status).toBe(202);
      // The first report fixed no layout: a real device's report for the same version is accepted.
      expect((await post(deviceReport(6, { modelVersion: 'poison-1' }))).status).toBe(202);
      expect(first.json.ignoredFeatures.map((f: { feature: string }) => f.feature)).toContain('temp_max');
      expect(await putBaseline('weather', 'poison-1', await readFile(weatherBaselineFile, "utf8"))).toBe(204);
      const refused = await post({ ...planted, id: randomUUID() });
      expect(refused.status).toBe(422);
      expect(refused.json.error).toMatch(/temp_max.*3 bins.*10/);
      expect((await post(deviceReport(5, { modelVersion: 'poison-1' }))).status).toBe(202);
      const d = await drift('weather', 'poison-1');
      expect(d.reports).toBe(3);
      expect(d.counters.runs).toBe(4 + 6 + 5);
      // Only the report sent after the baseline counts feature values (5 runs, one value each).
      expect(d.histograms.temp_max.reduce((a: number, b: number) => a + b, 0)).toBe(5);
    });

    it('schema-valid but refused: nothing is committed and the id stays free', async () => {
      expect(await putBaseline('weather', '1.0.0', await readFile(weatherBaselineFile, "utf8"))).toBe(204);
      expect((await post(deviceReport(3))).status).toBe(202);
      const report = deviceReport(7);
      const wrongBins = { ...report, features: { ...report.features, wind: { kind: 'numeric' as const, counts: [7], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 } } };
      const before = await drift();
      expect((await post(wrongBins)).status).toBe(422);
      expect(await drift()).toEqual(before);
      // The fixed report under the same id is counted, not answered 409.
      expect((await post(report)).status).toBe(202);
      expect((await post(report)).status).toBe(409);
      const after = await drift();
      expect(after.reports).toBe((before.reports ?? 0) + 1);
    });

    it('prototype-named keys are refused with 400 naming the field, and never reach a count', async () => {
      const before = await drift();
      const cases: Array<[string, (r: ReturnType<typeof deviceReport>) => unknown, RegExp]> = [
        ['backends.constructor', (r) => ({ ...r, backends: { constructor: r.counters.runs } }), /backends\.constructor: .*reserved/],
        ['topClasses.toString', (r) => ({ ...r, topClasses: { toString: 2 } }), /topClasses\.toString: .*reserved/],
        ['features.valueOf', (r) => ({ ...r, features: { valueOf: r.features.wind } }), /features\.valueOf: .*reserved/],
        ['modelVersion hasOwnProperty', (r) => ({ ...r, modelVersion: 'hasOwnProperty' }), /modelVersion: .*reserved/],
      ];
      for (const [name, mutate, message] of cases) {
        const r = await post(mutate(deviceReport(3)));
        expect(r.status, name).toBe(400);
        expect(r.json.error, name).toMatch(message);
      }
      // __proto__ only exists in JSON text (JSON.stringify of an object cannot produce it), escaped or not.
      const text = JSON.stringify(deviceReport(3));
      for (const body of [text.replace('"backends":{', '"backends":{"__proto__":{"x":1},'), text.replace('"backends":{', '"backends":{"\\u005f_proto__":1,')]) {
        const r = await post(body);
        expect(r.status).toBe(400);
        expect(r.json.error).toMatch(/__proto__/);
      }
      const after = await drift();
      expect(after).toEqual(before);
      expect(JSON.stringify(after)).not.toMatch(/function|native code/);
    });

    it('NUL and unpaired surrogates are refused with 400 naming the field', async () => {
      const cases: Array<[string, (r: ReturnType<typeof deviceReport>) => unknown, RegExp]> = [
        ['NUL in model', (r) => ({ ...r, model: 'weather\u0000' }), /^invalid report: model: .*NUL/],
        ['NUL in modelVersion', (r) => ({ ...r, modelVersion: '1\u00000' }), /modelVersion: .*NUL/],
        ['lone high surrogate in a feature name', (r) => ({ ...r, features: { 'temp\ud800': r.features.wind } }), /features\."temp\\ud800": .*surrogate/],
        ['lone low surrogate in a backend', (r) => ({ ...r, backends: { '\udc00wasm': 1 } }), /backends\."\\udc00wasm": .*surrogate/],
        ['control character in a class key', (r) => ({ ...r, topClasses: { '1\u0007': 1 } }), /topClasses\."1\\u0007": /],
      ];
      const before = await drift();
      for (const [name, mutate, message] of cases) {
        const r = await post(JSON.stringify(mutate(deviceReport(3))));
        expect(r.status, name).toBe(400);
        expect(r.json.error, name).toMatch(message);
      }
      expect(await drift()).toEqual(before);
      expect((await post(deviceReport(2))).status).toBe(202);
    });

    it('huge counts: counts beyond runs, or runs beyond the per-report limit, are refused and move no drift', async () => {
      const before = await drift();
      const r = deviceReport(3);
      const huge = { ...r, features: { ...r.features, temp_max: { ...r.features.temp_max!, counts: r.features.temp_max!.kind === 'numeric' ? r.features.temp_max!.counts.map(() => 1e12) : [] } } };
      const refused = await post(huge);
      expect(refused.status).toBe(422);
      expect(refused.json.error).toMatch(/features\."temp_max": 10000000000000 counted, more than counters.runs × 64/);
      const manyRuns = deviceReport(3, { counters: { runs: 1e12, errors: 0, rejected: 0, fallbacks: 0 } });
      expect((await post(manyRuns)).status).toBe(422);
      const latency = deviceReport(3);
      latency.latencyMs.counts[0] = 4;
      expect((await post(latency)).json.error).toMatch(/latencyMs: .* more than counters.runs/);
      const after = await drift();
      expect(after).toEqual(before);
      expect(after.features.every((f: { drifted: boolean; count: number }) => f.count < 1e6)).toBe(true);
    });

    it('unbounded categories: keys outside the baseline vocabulary fold into __other__, so windows stay small and ingest stays fast', async () => {
      const rows = 200;
      const baseline = buildBaseline({ sky: Array.from({ length: rows }, (_, i) => ['sun', 'rain', 'fog', 'snow'][i % 4]!) });
      expect(await putBaseline('kiosk', '1', JSON.stringify(baseline))).toBe(204);
      const kiosk = (keys: string[]) =>
        deviceReport(keys.length, { model: 'kiosk', modelVersion: '1', features: { sky: { kind: 'categorical', counts: Object.fromEntries(keys.map((k) => [k, 1])), missing: 0 } } });
      const time = async (fn: () => Promise<unknown>) => {
        const t = performance.now();
        await fn();
        return performance.now() - t;
      };
      const normal = async () => {
        const times: number[] = [];
        for (let i = 0; i < 10; i++) times.push(await time(async () => expect((await post(kiosk(['sun', 'rain']))).status).toBe(202)), await time(() => drift('kiosk', '1')));
        return times.sort((a, b) => a - b)[times.length >> 1]!;
      };
      const before = await normal();
      for (let i = 0; i < 120; i++) {
        const r = await post(kiosk(Array.from({ length: 200 }, (_, j) => `user-typed-${i}-${j}`)));
        expect(r.status).toBe(202);
      }
      const after = await normal();
      const d = await drift('kiosk', '1');
      expect(Object.keys(d.histograms.sky).sort()).toEqual(['__other__', 'rain', 'sun']);
      expect(d.histograms.sky.__other__).toBe(120 * 200);
      const body = JSON.stringify(d);
      expect(body.length).toBeLessThan(20_000);
      // Generous: the same order of time, not a growth with every report.
      expect(after).toBeLessThan(before * 4 + 20);
    });

    it('report ids are unique per app: another app cannot block an id, and a replay within an app is 409', async () => {
      const report = deviceReport(2);
      expect((await post(report, B.ingestKey)).status).toBe(202);
      expect((await post(report, A.ingestKey)).status).toBe(202);
      expect((await post(report, A.ingestKey)).status).toBe(409);
      expect((await post(report, B.ingestKey)).status).toBe(409);
    });
  });
}

describe('database unavailable: 503 with Retry-After, never a 4xx, and the report is counted once it is back', () => {
  it('embedded PGlite closed under the server', async () => {
    const collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [A], k: 1, privacy: false });
    try {
      await collector.db.close();
      const r = await send(collector.url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(deviceReport(2)) });
      expect(r.status).toBe(503);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(r.json.code).toBe('E_DATABASE_UNAVAILABLE');
      expect((await send(collector.url, '/healthz', { key: '' })).status).toBe(503);
    } finally {
      await collector.server.close();
    }
  });

  it.skipIf(!postgresAvailable('collector-attacks outage'))('PostgreSQL behind a proxy that is cut, then restored', async () => {
    const fresh = (await freshPostgresDatabase('collector-attacks outage'))!;
    const target = new URL(fresh.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(fresh.url);
    viaProxy.port = String(proxy.port);
    const collector = await startCollector({ port: 0, databaseUrl: viaProxy.toString(), dataDir: undefined, apps: [A], k: 1, privacy: false, databaseTimeoutMs: 2000 });
    try {
      const report = deviceReport(5);
      await proxy.cut();
      const down = await send(collector.url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(report) });
      expect(down.status).toBe(503);
      expect(Number(down.retryAfter)).toBeGreaterThan(0);
      expect((await send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: A.readKey })).status).toBe(503);
      await proxy.restore();
      // Nothing was committed while it was down: the same id is accepted now, once.
      expect((await send(collector.url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(report) })).status).toBe(202);
      expect((await send(collector.url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(report) })).status).toBe(409);
      expect((await send(collector.url, '/v1/drift?model=weather&version=1.0.0', { key: A.readKey })).json.counters.runs).toBe(5);
    } finally {
      await collector.close();
      await proxy.close();
      await fresh.drop();
    }
  }, 60_000);
});

describe.skipIf(!postgresAvailable('collector-attacks rate'))('rate limit shared by processes (two collectors, one PostgreSQL)', () => {
  it('admits at most ratePerMinute reports a minute in total, and answers the rest 429 with Retry-After', async () => {
    const fresh = (await freshPostgresDatabase('collector-attacks rate'))!;
    const one = await startCollector({ port: 0, databaseUrl: fresh.url, dataDir: undefined, apps: [A], k: 1, privacy: false, ratePerMinute: 10 });
    const two = await startCollector({ port: 0, databaseUrl: fresh.url, dataDir: undefined, apps: [A], k: 1, privacy: false, ratePerMinute: 10 });
    try {
      // Clear of a minute boundary, so all 16 fall in one minute's budget.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 16; i++) {
        const r = await send((i % 2 ? one : two).url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(deviceReport(1)) });
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.retryAfter;
      }
      expect(statuses.filter((s) => s === 202)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await one.close();
      await two.close();
      await fresh.drop();
    }
  }, 90_000);
});
