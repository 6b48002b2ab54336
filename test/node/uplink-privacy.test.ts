import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryOutbox, createUplink, type UplinkEvent } from '@edgewise/uplink';
import { reportSchema } from '@edgewise/wire/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(report!.counters.runs).toBe(CANARIES.length + realRows.length);
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(captured).toHaveLength(1);
    const sent = Buffer.concat(captured);
    expect(leaks(sent, CANARIES.flat())).toEqual([]);
    const rawValues = [...new Set(realRows.flat())].filter((v) => !Number.isInteger(v)); // integers collide with counts
    expect(leaks(sent, rawValues)).toEqual([]);
    // And what was sent is a valid report, with the counts it should have.
    const body = JSON.parse(sent.subarray(sent.indexOf('{"v"')).toString());
    expect(reportSchema.safeParse(body).success).toBe(true);
    expect(body.features.temp_max.counts.reduce((a: number, b: number) => a + b, 0)).toBe(CANARIES.length + realRows.length);
  });

  it('keeps reports in the outbox through failures, retries with backoff, and sends each id once', async () => {
    captured = [];
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
    const events: UplinkEvent[] = [];
    const outbox = new MemoryOutbox();
    const uplink = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox, onEvent: (e) => events.push(e) });
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

  it('bounds and noises counts when asked (reproducible with a seeded random)', async () => {
    const { protectCounts } = await import('@edgewise/uplink');
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const base = { v: 1 as const, id: crypto.randomUUID(), model: 'm', modelVersion: '1', window: { start: 0, end: 1 }, backends: { wasm: 1000 }, topClasses: { '1': 1000 }, features: {} };
    const bins = { counts: [500, 500], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
    const report = { ...base, counters: { runs: 1000, errors: 0, rejected: 0, fallbacks: 0 }, latencyMs: bins, confidence: bins };
    const bounded = protectCounts(report, { maxRunsPerReport: 100 });
    expect(bounded.counters.runs).toBe(100);
    expect(bounded.latencyMs.counts).toEqual([50, 50]);
    const noisy = protectCounts(report, { epsilon: 0.5, random });
    expect(noisy.counters.runs).not.toBe(1000);
    expect(Math.abs(noisy.counters.runs - 1000)).toBeLessThan(40);
    expect(noisy.latencyMs.counts.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
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
    const first = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox: new FileOutbox(dirOut) });
    const report = await first.collect();
    expect(await first.flush()).toMatchObject({ pending: 1 });
    // "Restart": a new uplink over the same directory finds the report and delivers it.
    answer = 202;
    captured = [];
    const second = createUplink({ endpoint, ingestKey: 'k', source: model, model: 'weather', modelVersion: '1.0.0', outbox: new FileOutbox(dirOut) });
    expect(await second.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(captured.map((c) => JSON.parse(c.subarray(c.indexOf('{"v"')).toString()).id)).toEqual([report!.id]);
    expect(await new FileOutbox(dirOut).list()).toEqual([]);
  });
});
