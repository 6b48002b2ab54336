import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startCollector, projectNonNegative, type RunningCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { jensenShannon } from '@edgewise/drift';
import { createNodeRuntime } from '@edgewise/node';
import { createUplink, MemoryOutbox, type AggregateSource, type Transport } from '@edgewise/uplink';
import { DEFAULT_WINDOW_MS, type Report } from '@edgewise/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS } from '../../models/scripts/weather-mlp.js';
import { deviceReport, send, weatherBaselineFile } from '../collector-client.js';
import { clock, privateReport, token } from '../privacy-client.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

/**
 * The attacks of issue 14, each over real HTTP against a real collector with its default privacy
 * (on PGlite and on a fresh PostgreSQL database), devices through the real uplink. Each asserts
 * that the attack now fails. Collector and devices share a fake clock, so windows close on demand.
 */
const A = { app: 'privacy', ingestKey: 'privacy-in', readKey: 'privacy-out', adminKey: 'privacy-admin' };
const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
const HOUR = DEFAULT_WINDOW_MS;
const AFTER_RELEASE = HOUR + 300_000 + 30_000 + 1; // window end + releaseDelayMs + margin
/**
 * Devices per released window: a window is listed when its noisy device count (Laplace, scale 5
 * at the default ε) reaches τ = 68 (δ = 1e-6), so a window of 130 is withheld with probability
 * 0.5·e^(-62.5/5) ≈ 2e-6.
 */
const DEVICES = 130;
const FORGED = DEVICES - 1;

/** A monitor's aggregates: the report without its envelope (the uplink sets window, ids, token). */
const bodyOf = ({ v, id, model, modelVersion, window, baseline, token, ...body }: Report) => body;

for (const databaseName of ['PGlite', 'PostgreSQL'] as const) {
  describe.skipIf(databaseName === 'PostgreSQL' && !postgresAvailable('privacy-attacks'))(`privacy attacks (${databaseName})`, () => {
    let collector: RunningCollector;
    let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    const time = clock();
    let version = 0;
    const post = (body: unknown) => send(collector.url, '/v1/reports', { key: A.ingestKey, body: JSON.stringify(body) });
    const drift = async (v: string) => (await send(collector.url, `/v1/drift?model=weather&version=${v}`, { key: A.readKey })).json;
    const putBaseline = async (v: string, body: unknown) => (await send(collector.url, `/v1/baselines/weather/${v}`, { method: 'PUT', key: A.adminKey, body: JSON.stringify(body) })).status;
    const baseline = async () => JSON.parse(await readFile(weatherBaselineFile, 'utf8'));
    /** A fresh model version with the weather baseline registered, in a fresh hour. */
    const freshVersion = async () => {
      const v = `v${++version}`;
      time.at += 2 * HOUR;
      expect(await putBaseline(v, await baseline())).toBe(204);
      return v;
    };

    beforeAll(async () => {
      fresh = databaseName === 'PostgreSQL' ? await freshPostgresDatabase('privacy-attacks') : undefined;
      collector = await startCollector({ port: 0, databaseUrl: fresh?.url, dataDir: undefined, apps: [A], ratePerMinute: 1_000_000_000, now: time.now });
    }, 60_000);
    afterAll(async () => {
      await collector?.close();
      await fresh?.drop();
    }, 60_000);

    it('single-run report: the device sends nothing below 20 runs, and the collector refuses one (400 naming counters.runs)', async () => {
      const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
      await model.run({ input: tensor('float32', [3.7, 12, 5, 3], [1, 4]) });
      const outbox = new MemoryOutbox();
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: A.ingestKey, source: model, model: 'weather', modelVersion: 'single', outbox, now: time.now });
      expect(await uplink.collect()).toBeUndefined();
      expect(await outbox.list()).toEqual([]);
      const forged = { ...privateReport(time.at, { runs: 1 }) };
      const r = await post(forged);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/^counters\.runs: 1 runs; a report needs at least 20/);
    });

    it('the collector checks the device rules itself (400 naming the field): token, grid window, contribution bound', async () => {
      const cases: Array<[string, (r: Report) => unknown, RegExp]> = [
        ['no token', ({ token: _t, ...r }) => r, /^token: required/],
        ['a window finer than the grid', (r) => ({ ...r, window: { start: r.window.start + 1, end: r.window.end - 1 } }), /^window: .* is not one cell of the 3600000 ms window grid/],
        ['latency over the bound', (r) => ({ ...r, latencyMs: { ...r.latencyMs, counts: r.latencyMs.counts.map((c, i) => (i === 0 ? c + 1 : c)) } }), /^latencyMs: counts sum to 21, over the per-device contribution bound 20/],
        ['a feature over the bound', (r) => ({ ...r, features: { ...r.features, wind: { ...(r.features.wind as object), missing: 5 } } }), /^features\.wind: counts sum to 25, over the per-device contribution bound 20/],
      ];
      for (const [name, mutate, message] of cases) {
        const r = await post(mutate(privateReport(time.at)));
        expect(r.status, name).toBe(400);
        expect(r.json.error, name).toMatch(message);
      }
    });

    it('a device whose window had errors or fallbacks is not refused: bounding the counters group scales runs below minRunsPerReport, which the collector must accept', async () => {
      const body = { ...bodyOf(privateReport(time.at)), counters: { runs: 20, errors: 6, rejected: 0, fallbacks: 4 } };
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: A.ingestKey, source: { aggregates: async () => ({ body }) }, model: 'weather', modelVersion: 'errors', now: time.now });
      const report = await uplink.collect();
      expect(report!.counters.runs).toBeLessThan(20); // 20 × 20 / 30, rounded
      expect(await uplink.flush()).toMatchObject({ sent: 1, dropped: 0 });
    });

    it('1,000-edge baseline: refused at registration, on the device and in reports (naming the feature)', async () => {
      const fine = await baseline();
      fine.features.precipitation.edges = Array.from({ length: 1000 }, (_, i) => i / 100);
      fine.features.precipitation.counts = Array.from({ length: 1001 }, () => 1);
      const put = await send(collector.url, '/v1/baselines/weather/fine', { method: 'PUT', key: A.adminKey, body: JSON.stringify(fine) });
      expect(put.status).toBe(400);
      expect(put.json.error).toMatch(/precipitation.*1001 bins; at most 32/);
      const source: AggregateSource = { aggregates: async () => ({ body: privateReport(time.at) }) };
      expect(() => createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: A.ingestKey, source, model: 'weather', modelVersion: 'fine', privacy: { baseline: fine } })).toThrow(/precipitation.*1001 bins/);
      const report = privateReport(time.at);
      report.features.precipitation = { kind: 'numeric', counts: Array.from({ length: 1001 }, (_, i) => (i === 213 ? 20 : 0)), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
      const r = await post(report);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/^features\."precipitation"\.counts: 1001 bins; at most 32/);
    });

    it('numeric input declared categorical: the float vocabulary is refused, a float key in a report is refused, the device folds it', async () => {
      const b = await baseline();
      b.features.wind = { kind: 'categorical', n: 2, missing: 0, counts: { '1234.5677490234375': 1, '1234.5678': 1 } };
      const put = await send(collector.url, '/v1/baselines/weather/cat', { method: 'PUT', key: A.adminKey, body: JSON.stringify(b) });
      expect(put.status).toBe(400);
      expect(put.json.error).toMatch(/wind.*non-integer number/);
      const report = privateReport(time.at);
      report.features.wind = { kind: 'categorical', counts: { '1234.5677490234375': 20 }, missing: 0 };
      const r = await post(report);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/^features\."wind"\.counts\."1234\.5677490234375": a non-integer number is never a category key/);
      // The real monitor counts the float as a key; the uplink folds it before queueing.
      const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: { ...b, features: { ...b.features, wind: { kind: 'categorical', n: 1, missing: 0, counts: { '3': 1 } } } }, features: WEATHER_FEATURE_SPECS } });
      for (let i = 0; i < 20; i++) await model.run({ input: tensor('float32', [0, 12, 5, 1234.5678], [1, 4]) });
      const sent = await createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: A.ingestKey, source: model, model: 'weather', modelVersion: 'cat', now: time.now }).collect();
      expect(sent!.features.wind).toEqual({ kind: 'categorical', counts: { __other__: 20 }, missing: 0 });
    });

    it('linking by timestamps: 20 reports of one device among 5 cannot be chained (grid windows, fresh tokens)', async () => {
      const seen: Report[] = [];
      const capture: Transport = { send: async (_url, body) => (seen.push(JSON.parse(body)), { status: 202 }) };
      const devices = Array.from({ length: 5 }, () => createUplink({ endpoint: 'http://operator.invalid/v1/reports', ingestKey: 'k', source: { aggregates: async () => ({ body: bodyOf(privateReport(time.at)) }) }, model: 'weather', modelVersion: 'link', transport: capture, now: time.now, privacy: { dailyEpsilon: 24 } }));
      const start = Math.floor(time.at / HOUR) * HOUR + HOUR;
      for (let w = 0; w < 20; w++) {
        time.at = start + w * HOUR + Math.floor(Math.random() * (HOUR - 1));
        for (const d of devices) {
          await d.collect();
          await d.flush();
        }
      }
      expect(seen).toHaveLength(100);
      const victim = (i: number) => seen[i * 5]!; // device 0's report in window i
      let linked = 0;
      for (let i = 0; i + 1 < 20; i++) {
        const next = seen.filter((r) => r.window.start === victim(i).window.end);
        expect(next).toHaveLength(5); // every device's next report matches equally
        if (next.length === 1 && next[0] === victim(i + 1)) linked++;
      }
      expect(linked).toBe(0);
      expect(new Set(seen.map((r) => r.token)).size).toBe(100);
      expect(seen.every((r) => r.window.start % HOUR === 0 && r.window.end - r.window.start === HOUR)).toBe(true);
    });

    it('sybil reports unlocking k: all-zero forgeries are refused; valid forgeries unlock k but the release is noised, not the victim\'s counts', async () => {
      const v = await freshVersion();
      expect((await post(privateReport(time.at, { version: v, tempMaxBin: 7 }))).status).toBe(202);
      const zero = deviceReport(0, { modelVersion: v, window: privateReport(time.at).window, token: token() });
      const refused = await post(zero);
      expect(refused.status).toBe(400);
      // Forgeries the attacker knows exactly (all temp_max in bin 0), enough to pass any k.
      for (let i = 0; i < FORGED; i++) expect((await post(privateReport(time.at, { version: v, tempMaxBin: 0 }))).status).toBe(202);
      // The same token twice in one window is refused: k counts devices, not reports.
      const twice = privateReport(time.at, { version: v });
      expect((await post(twice)).status).toBe(202);
      const again = await post({ ...twice, id: crypto.randomUUID() });
      expect(again.status).toBe(422);
      expect(again.json.error).toMatch(/^token: already used/);
      time.at += AFTER_RELEASE;
      const d = await drift(v);
      expect(d.windows).toHaveLength(1);
      const released: number[] = d.histograms.temp_max;
      const estimate = released.map((c, i) => c - (i === 0 ? FORGED * 20 : 0)); // the attacker subtracts what it forged
      const victimExact = Array.from({ length: 10 }, (_, i) => (i === 7 ? 20 : 0));
      const forgedSpread = (twice.features.temp_max as { counts: number[] }).counts;
      const error = estimate.map((e, i) => e - victimExact[i]! - forgedSpread[i]!);
      // Feature noise scale is bound × Σweights / (4 × ε_counts) = 20 × 21 / 3.2 ≈ 131 per count: the estimate is off by far more than one run.
      expect(d.noise).toMatchObject({ mechanism: 'laplace', epsilon: 1, delta: 1e-6, threshold: 68, groups: 9, featureWeight: 4, scale: 131.25, otherScale: 525 });
      expect(error.reduce((s, e) => s + Math.abs(e), 0)).toBeGreaterThan(20);
    });

    it('differencing two reads: a report sent between them changes nothing (the open window is not released; the closed one refuses it)', async () => {
      const v = await freshVersion();
      for (let i = 0; i < DEVICES; i++) expect((await post(privateReport(time.at, { version: v }))).status).toBe(202);
      time.at += AFTER_RELEASE;
      const before = await drift(v);
      const late = await post(privateReport(time.at - AFTER_RELEASE, { version: v, tempMaxBin: 3 }));
      expect(late.status).toBe(422);
      expect(late.json.error).toMatch(/released.*late reports are not counted/);
      expect((await post(privateReport(time.at, { version: v, tempMaxBin: 3 }))).status).toBe(202); // into the open window
      expect(await drift(v)).toEqual(before);
    });

    it('averaging 400 reads: every read serves the one stored release, so averaging recovers nothing', async () => {
      const v = await freshVersion();
      for (let i = 0; i < DEVICES; i++) expect((await post(privateReport(time.at, { version: v, tempMaxBin: i === 0 ? 5 : 2 }))).status).toBe(202);
      time.at += AFTER_RELEASE;
      const reads = await Promise.all(Array.from({ length: 400 }, () => drift(v)));
      expect(new Set(reads.map((r) => JSON.stringify(r))).size).toBe(1);
      const mean = reads[0].histograms.temp_max.map((_: number, i: number) => reads.reduce((s, r) => s + r.histograms.temp_max[i], 0) / reads.length);
      expect(mean).toEqual(reads[0].histograms.temp_max);
    });

    it('unnoised series: counters, backends, latency, confidence, top classes and drift all come from noised counts; withheld windows say so', async () => {
      const v = await freshVersion();
      for (let i = 0; i < DEVICES; i++) expect((await post(privateReport(time.at, { version: v }))).status).toBe(202);
      const exact = deviceReport(20);
      time.at += AFTER_RELEASE;
      const d = await drift(v);
      const differs = (released: number[], exactValues: number[]) => released.some((x, i) => x !== exactValues[i]);
      expect(differs(Object.values(d.counters), [DEVICES * 20, 0, 0, 0])).toBe(true);
      expect(differs(d.latencyMs.counts, exact.latencyMs.counts.map((c) => DEVICES * c))).toBe(true);
      expect(differs(d.confidence.counts, exact.confidence.counts.map((c) => DEVICES * c))).toBe(true);
      expect(Object.keys(d.backends)).toEqual(['__other__', 'coreml', 'cpu', 'nnapi', 'wasm', 'webgl', 'webgpu', 'xnnpack']); // every key, zero or not
      expect(Object.keys(d.topClasses)).toHaveLength(65);
      expect(differs([d.topClasses['0'], d.topClasses['1']], [DEVICES * 14, DEVICES * 6])).toBe(true);
      // Drift is computed from the released (noised) counts, projected to non-negative with their total.
      const base = await baseline();
      for (const f of d.features as Array<{ feature: string; jensenShannon: number }>) {
        expect(f.jensenShannon).toBeCloseTo(jensenShannon(base.features[f.feature].counts, projectNonNegative(d.histograms[f.feature])), 12);
      }
      // A feature whose noisy total is ≤ 0 has no drift score (nothing to compare), rather than a biased one.
      for (const name of Object.keys(d.histograms)) {
        const total = d.histograms[name].reduce((a: number, b: number) => a + b, 0);
        expect(d.features.some((f: { feature: string }) => f.feature === name)).toBe(total > 0);
      }
      // Nor do the other read endpoints give exact counts away.
      const models = (await send(collector.url, '/v1/models', { key: A.readKey })).json.models as object[];
      expect(models.length).toBeGreaterThan(0);
      expect(models.every((m) => !('reports' in m))).toBe(true);
      const metrics = (await send(collector.url, '/metrics', { key: A.readKey })).json as string;
      expect(metrics).not.toMatch(/edgewise_reports_total\{/);
      expect(metrics).toMatch(new RegExp(`edgewise_released_devices_total\\{model="weather",version="${v}"\\} ${d.devices}`));
      // Windows of one device each are withheld, not listed at all (listing would tell someone reported), and the answer says so.
      const w = await freshVersion();
      for (let i = 0; i < 10; i++) {
        expect((await post(privateReport(time.at, { version: w }))).status).toBe(202);
        time.at += HOUR;
      }
      time.at += AFTER_RELEASE;
      const thin = await drift(w);
      expect(thin).toMatchObject({ withheld: true, windows: [], reason: expect.stringMatching(/^no window released: only closed windows .* noisy device count ≥ 68 are listed/) });
    });

    it('/v1/series (the dashboard\'s read) gives no exact counts: a 5-report window (1 victim + 4 forged) is not listed, released windows carry the stored noisy numbers', async () => {
      // The sybil attack on the per-window series: the victim plus 4 forgeries the attacker knows exactly pass k = 5 (reports).
      const v = await freshVersion();
      expect((await post(privateReport(time.at, { version: v, tempMaxBin: 7 }))).status).toBe(202);
      for (let i = 0; i < 4; i++) expect((await post(privateReport(time.at, { version: v, tempMaxBin: 0 }))).status).toBe(202);
      time.at += AFTER_RELEASE;
      const series = async (version: string) => (await send(collector.url, `/v1/series?model=weather&version=${version}`, { key: A.readKey })).json;
      const thin = await series(v);
      expect(thin.windows).toEqual([]); // not listed at all: neither exact reports nor "withheld" (which says someone reported)
      expect(JSON.stringify(thin)).not.toMatch(/"reports":5|"runs":100/);
      // A released window: every number is the stored release /v1/drift serves.
      const w = await freshVersion();
      for (let i = 0; i < DEVICES; i++) expect((await post(privateReport(time.at, { version: w }))).status).toBe(202);
      time.at += AFTER_RELEASE;
      const [s, d] = [await series(w), await drift(w)];
      expect(s.windows).toHaveLength(1);
      const point = s.windows[0];
      expect(point.withheld).toBeUndefined();
      expect(point.devices).toBe(d.windows[0].devices);
      expect({ runs: point.runs, errors: point.errors, rejected: point.rejected, fallbacks: point.fallbacks }).toEqual(d.counters);
      expect(point.backends).toEqual(d.backends);
      expect(point.confidence.counts).toEqual(d.confidence.counts);
      expect(point.drift).toEqual(d.windows[0].features);
      expect('reports' in point).toBe(false);
      expect(await series(w)).toEqual(s); // stored: reads do not differ
    });

    it('/v1/models does not list a version only withheld windows hold (a canary version on one device would say that it reported)', async () => {
      const v = await freshVersion();
      expect((await post(privateReport(time.at, { version: v }))).status).toBe(202);
      const listed = async () => ((await send(collector.url, '/v1/models', { key: A.readKey })).json.models as Array<{ version: string }>).map((m) => m.version);
      expect(await listed()).not.toContain(v); // open window
      time.at += AFTER_RELEASE;
      expect(await listed()).not.toContain(v); // withheld window
      const metrics = (await send(collector.url, '/metrics', { key: A.readKey })).json as string;
      expect(metrics).not.toContain(`version="${v}"`);
    });

    // Open (README "Not covered"): side channels outside the stored release.
    it.todo('timing: the first read after a window closes computes and stores its release, so it is slower when a window exists (even a withheld one, i.e. one device reported)');
    it.todo('rate limit: 429 comes on an exact count of the app\'s reports this minute, so an ingest-key holder can count other devices\' reports by probing');

    it.skipIf(databaseName !== 'PostgreSQL')('two collector processes on one database release a window once and serve the same numbers', async () => {
      const v = await freshVersion();
      const other = await startCollector({ port: 0, databaseUrl: fresh!.url, dataDir: undefined, apps: [A], ratePerMinute: 1_000_000_000, now: time.now });
      try {
        for (let i = 0; i < DEVICES; i++) expect((await post(privateReport(time.at, { version: v }))).status).toBe(202);
        time.at += AFTER_RELEASE;
        const read = async (url: string) => (await send(url, `/v1/drift?model=weather&version=${v}`, { key: A.readKey })).json;
        const reads = await Promise.all(Array.from({ length: 20 }, (_, i) => read(i % 2 ? collector.url : other.url)));
        expect(new Set(reads.map((r) => JSON.stringify(r))).size).toBe(1);
        expect(reads[0].windows).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });
}
