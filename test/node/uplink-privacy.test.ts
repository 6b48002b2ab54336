import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { readFile } from 'node:fs/promises';
import { BaselinePrivacyError, MemoryOutbox, createUplink, protectCounts, type AggregateSource, type UplinkEvent } from '@edgewise/uplink';
import { isGridWindow } from '@edgewise/wire';
import { reportSchema } from '@edgewise/wire/schema';
import { deviceReport } from '../collector-client.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../../models/scripts/weather-mlp.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));

/** A real HTTP endpoint on loopback that records every byte it receives and answers as told. */
let captured: Buffer[] = [];
let answer = 202;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    captured.push(Buffer.concat([Buffer.from(JSON.stringify(req.headers)), Buffer.from(req.url ?? ''), ...chunks]));
    res.writeHead(answer).end(answer === 202 ? '{"accepted":true}' : '{"error":"try later"}');
  });
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/reports`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/**
 * Every way a number could be written into bytes: decimal text at several precisions, float32/64 LE
 * and BE, for the value and for its float32 rounding (inputs are float32 tensors, so that is what
 * the SDK actually holds).
 */
function encodings(value: number): Buffer[] {
  return [value, Math.fround(value)].flatMap(encodingsOf);
}

function encodingsOf(v: number): Buffer[] {
  const out = [String(v), v.toFixed(2), v.toFixed(3), v.toFixed(4), v.toPrecision(6), v.toExponential(5)].map((s) => Buffer.from(s));
  for (const [size, write] of [
    [4, (b: Buffer) => b.writeFloatLE(v)],
    [4, (b: Buffer) => b.writeFloatBE(v)],
    [8, (b: Buffer) => b.writeDoubleLE(v)],
    [8, (b: Buffer) => b.writeDoubleBE(v)],
  ] as const) {
    const b = Buffer.alloc(size);
    write(b);
    out.push(b);
  }
  return out;
}
const leaks = (haystack: Buffer, values: number[]) => values.filter((v) => encodings(v).some((needle) => haystack.includes(needle)));

// Canary inputs: values no real weather row has, inside the baseline's range so they are not rejected.
const CANARIES = [[3.14159, 17.71717, 6.28318, 2.71828], [11.11317, 21.21913, 9.87123, 4.44719]];

describe('privacy: only aggregates leave the device', () => {
  it('no canary and no raw input value appears in any byte the uplink sends', async () => {
    captured = [];
    answer = 202;
    const model = await createNodeRuntime().loadModel({
      source: `${dir}model.onnx`,
      engine: 'onnx',
      monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS },
    });
    const realRows = weatherRows((d) => d.startsWith('2015-03'));
    for (const row of [...CANARIES, ...realRows]) await model.run({ input: tensor('float32', row, [1, 4]) });

    // Control: the local snapshot keeps sketch items, so the detector must find canaries there.
    // If this ever passes vacuously, the check below proves nothing.
    const local = Buffer.from(await model.snapshot());
    expect(leaks(local, CANARIES.flat()).length).toBeGreaterThan(0);

    const uplink = createUplink({ endpoint, ingestKey: 'ingest-test-key', source: model, model: 'weather', modelVersion: '1.0.0', outbox: new MemoryOutbox() });
    const report = await uplink.collect();
    // 33 runs, bounded on the device to the contribution bound (20) in every count group.
    expect(CANARIES.length + realRows.length).toBeGreaterThan(20);
    expect(report!.counters.runs).toBe(20);
    expect(report!.token).toMatch(/^[0-9a-f]{32}$/);
    expect(isGridWindow(report!.window)).toBe(true);
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(captured).toHaveLength(1);
    const sent = Buffer.concat(captured);
    expect(leaks(sent, CANARIES.flat())).toEqual([]);
    const rawValues = [...new Set(realRows.flat())].filter((v) => !Number.isInteger(v)); // integers collide with counts
    expect(leaks(sent, rawValues)).toEqual([]);
    // And what was sent is a valid report, with the counts it should have.
    const body = JSON.parse(sent.subarray(sent.indexOf('{"v"')).toString());
    expect(reportSchema.safeParse(body).success).toBe(true);
    expect(body.features.temp_max.counts.reduce((a: number, b: number) => a + b, 0)).toBe(20);
    // The new fields carry nothing of the inputs either: the token is random, the window a grid cell.
    expect(leaks(Buffer.from(JSON.stringify({ token: body.token, window: body.window })), CANARIES.flat())).toEqual([]);
  });

  it('keeps reports in the outbox through failures, retries with backoff, and sends each id once', async () => {
    captured = [];
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
    const events: UplinkEvent[] = [];
    const outbox = new MemoryOutbox();
    const uplink = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox, privacy: false, onEvent: (e) => events.push(e) });
    await model.run({ input: tensor('float32', [0, 10, 5, 3], [1, 4]) });
    await uplink.collect();
    answer = 503;
    expect(await uplink.flush()).toEqual({ sent: 0, dropped: 0, pending: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'retry' });
    await model.run({ input: tensor('float32', [1, 12, 6, 4], [1, 4]) });
    await uplink.collect();
    answer = 202;
    expect(await uplink.flush()).toEqual({ sent: 2, dropped: 0, pending: 0 });
    const ids = captured.map((c) => JSON.parse(c.subarray(c.indexOf('{"v"')).toString()).id);
    expect(new Set(ids.slice(-2)).size).toBe(2);
    expect(ids.filter((id) => id === ids[0]).length).toBe(2); // the first report went twice: once failed, once accepted
    expect(await outbox.list()).toEqual([]);
    // Backoff grows with consecutive failures (full jitter: the cap doubles).
    answer = 400;
    await model.run({ input: tensor('float32', [1, 12, 6, 4], [1, 4]) });
    await uplink.collect();
    expect(await uplink.flush()).toMatchObject({ dropped: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'dropped', status: 400 });
    answer = 202;
  });

  it('categorical and string canaries: float inputs never become category keys, strings outside the vocabulary fold into __other__', async () => {
    captured = [];
    answer = 202;
    // The weather baseline with wind declared categorical over integer speeds: a vocabulary the
    // rules allow. Canary winds are floats, and must never be sent as keys.
    const baseline = JSON.parse(await readFile(`${dir}baseline.json`, 'utf8'));
    baseline.features.wind = { kind: 'categorical', n: 10, missing: 0, counts: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), 1])) };
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline, features: WEATHER_FEATURE_SPECS } });
    const rows = [...CANARIES, ...weatherRows((d) => d.startsWith('2015-04')).map((r) => [r[0]!, r[1]!, r[2]!, Math.round(r[3]!)])];
    for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
    // And a string canary, from a source that counts a typed value (as a text feature would).
    const STRING_CANARY = 'Zürich-canary-7731';
    const withString: AggregateSource = {
      async aggregates(options) {
        const a = await model.aggregates(options);
        const wind = a.body.features.wind as { kind: 'categorical'; counts: Record<string, number>; missing: number };
        wind.counts[STRING_CANARY] = 3;
        return a;
      },
    };
    const uplink = createUplink({ endpoint, ingestKey: 'k', source: withString, model: 'weather', modelVersion: 'categorical', privacy: { baseline } });
    const report = await uplink.collect();
    expect(report).toBeDefined();
    await uplink.flush();
    const sent = Buffer.concat(captured);
    expect(leaks(sent, CANARIES.flat())).toEqual([]);
    expect(sent.includes(Buffer.from(STRING_CANARY))).toBe(false);
    expect(sent.includes(Buffer.from('canary'))).toBe(false);
    const wind = report!.features.wind as { counts: Record<string, number> };
    expect(Object.keys(wind.counts).every((k) => k === '__other__' || /^[0-9]$/.test(k))).toBe(true);
    expect(wind.counts.__other__).toBeGreaterThan(0);
  });

  it('refuses baselines that would pin a value: too many bins, floats declared as categories (typed error naming the feature)', async () => {
    const baseline = JSON.parse(await readFile(`${dir}baseline.json`, 'utf8'));
    const fine = structuredClone(baseline);
    fine.features.temp_max.edges = Array.from({ length: 1000 }, (_, i) => i / 10);
    fine.features.temp_max.counts = Array.from({ length: 1001 }, () => 1);
    const source = { aggregates: async () => ({ body: deviceBody() }) };
    const make = (b: unknown) => createUplink({ endpoint, ingestKey: 'k', source, model: 'weather', modelVersion: '1', privacy: { baseline: b as never } });
    expect(() => make(fine)).toThrow(BaselinePrivacyError);
    expect(() => make(fine)).toThrow(/temp_max.*1001 bins; at most 32/);
    const floats = structuredClone(baseline);
    floats.features.wind = { kind: 'categorical', n: 1, missing: 0, counts: { '1234.5677490234375': 1 } };
    expect(() => make(floats)).toThrow(/wind.*"1234\.5677490234375", a non-integer number/);
    try {
      make(floats);
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_BASELINE_PRIVACY', feature: 'wind' });
    }
  });

  it('bounds every count group to the contribution bound, keeping its shape', () => {
    const body = deviceBody(1000);
    const bounded = protectCounts(body, { contributionBound: 100 });
    expect(bounded.counters.runs).toBe(100);
    expect(bounded.latencyMs.counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(bounded.backends).toEqual({ wasm: 100 });
    expect(body.counters.runs).toBe(1000); // a copy: the source's body is untouched
  });
});

/** A report body as a weather device's monitor produces it (the collector test client's shape). */
function deviceBody(runs = 30) {
  const { v, id, model, modelVersion, window, baseline, token, ...body } = deviceReport(runs);
  return body;
}

describe('privacy ledger across reloads', () => {
  /** A page's localStorage (synchronous, strings), as browsers have one. */
  const webStorage = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, String(v)), removeItem: (k: string) => void m.delete(k), key: (i: number) => [...m.keys()][i] ?? null, get length() { return m.size; } };
  };
  const at = Date.UTC(2026, 11, 2, 10, 5);
  const uplink = (now: number) => createUplink({ endpoint: 'http://collector.invalid/v1/reports', ingestKey: 'k', source: { aggregates: async () => ({ body: deviceBody(20) }) }, model: 'weather', modelVersion: '1.0.0', now: () => now });

  it('a page reloaded within a window does not report that window twice (the default ledger lives in localStorage where there is one)', async () => {
    const g = globalThis as { localStorage?: unknown };
    const before = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    Object.defineProperty(globalThis, 'localStorage', { value: webStorage(), configurable: true, writable: true });
    try {
      expect(await uplink(at).collect()).toBeDefined();
      // The reload: a new uplink in the same window, 20 more runs. Two reports from one device in one window is twice the ε of the guarantee.
      expect(await uplink(at + 60_000).collect()).toBeUndefined();
      expect(await uplink(at + 3_600_000).collect()).toBeDefined(); // the next window reports
      // Eight windows a day (dailyEpsilon 8 at ε 1) however often the page reloads.
      let sent = 2;
      for (let w = 2; w < 12; w++) if (await uplink(at + w * 3_600_000).collect()) sent++;
      expect(sent).toBe(8);
    } finally {
      if (before) Object.defineProperty(globalThis, 'localStorage', before);
      else delete g.localStorage;
    }
  });
});

describe('arrival times', () => {
  it('an operator cannot link a device\'s reports by when they arrive (the collect tick has no fixed phase)', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 2, 10, 0, 0, 0) });
    try {
      const arrivals: Array<{ device: number; at: number }> = [];
      const devices = Array.from({ length: 5 }, (_, device) => {
        const transport = { send: async () => (arrivals.push({ device, at: Date.now() }), { status: 202 }) };
        return createUplink({ endpoint: 'http://operator.invalid/v1/reports', ingestKey: 'k', source: { aggregates: async () => ({ body: deviceBody(20) }) }, model: 'weather', modelVersion: 'timing', transport, privacy: { dailyEpsilon: 24 } });
      });
      for (const d of devices) {
        await vi.advanceTimersByTimeAsync(1 + Math.floor(Math.random() * 59_000)); // apps start at different moments
        d.start();
      }
      await vi.advanceTimersByTimeAsync(20 * 3_600_000);
      devices.forEach((d) => d.stop());
      const mine = arrivals.filter((a) => a.device === 0);
      expect(mine.length).toBeGreaterThanOrEqual(18);
      // The operator's guess: the next report whose arrival has the same phase in the minute.
      const phase = (t: number) => t % 60_000;
      let linked = 0;
      for (let i = 0; i + 1 < mine.length; i++) {
        const next = arrivals.filter((a) => a.at > mine[i]!.at + 1_800_000 && a.at < mine[i]!.at + 2 * 3_600_000 && Math.abs(phase(a.at) - phase(mine[i]!.at)) < 50);
        if (next.length >= 1 && next.every((a) => a.device === 0)) linked++;
      }
      expect(linked).toBeLessThanOrEqual(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('persistent outbox (Node file outbox)', () => {
  it('keeps unsent reports across a restart of the uplink, and sends them once the collector answers', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileOutbox } = await import('@edgewise/node');
    const dirOut = await mkdtemp(join(tmpdir(), 'edgewise-outbox-'));
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
    await model.run({ input: tensor('float32', [0, 10, 5, 3], [1, 4]) });
    answer = 503;
    const first = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox: new FileOutbox(dirOut), privacy: false });
    const report = await first.collect();
    expect(await first.flush()).toMatchObject({ pending: 1 });
    // "Restart": a new uplink over the same directory finds the report and delivers it.
    answer = 202;
    captured = [];
    const second = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox: new FileOutbox(dirOut), privacy: false });
    expect(await second.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(captured.map((c) => JSON.parse(c.subarray(c.indexOf('{"v"')).toString()).id)).toEqual([report!.id]);
    expect(await new FileOutbox(dirOut).list()).toEqual([]);
  });
});
