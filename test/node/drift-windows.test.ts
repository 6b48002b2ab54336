import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { gridWindowAt, isGridWindow } from '@edgewise/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../../models/scripts/weather-mlp.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
const INGEST = 'windows-ingest';
const READ = 'windows-read';
let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `windows-${randomUUID()}`, ingestKey: INGEST, readKey: READ }], k: 1, ratePerMinute: 100_000, privacy: false }); // exact counts: windowing is under test; privacy has its own suites
}, 60_000);
afterAll(() => collector?.close());

const load = (monitor: object = {}) =>
  createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS, ...monitor } });
const feed = async (model: Model, rows: number[][]) => {
  for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
};

describe('drift windows on a real model, uplink to a real collector over HTTP', () => {
  it('an uplink collect + flush leaves local drift (cumulative and window) exactly as it was', async () => {
    const model = await load();
    await feed(model, weatherRows((d) => /^2014-0[6-8]/.test(d)));
    const before = await model.drift();
    expect(before.drifted).toBe(true);
    expect(before.window).toMatchObject({ ...gridWindowAt(Date.now()), runs: 92 });

    const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: INGEST, source: model, model: 'weather', modelVersion: '1.0.0', outbox: new MemoryOutbox(), privacy: false });
    const report = await uplink.collect();
    expect(report?.counters.runs).toBe(92);
    expect(report!.window.start).toBe(before.window!.start);
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });

    expect(await model.drift()).toEqual(before);
    expect((await model.health()).counters.runs).toBe(92);
    // Nothing new since: a second collect sends nothing, and drift still has not moved.
    expect(await uplink.collect()).toBeUndefined();
    await feed(model, weatherRows((d) => d.startsWith('2014-09')));
    const after = await model.drift();
    expect(after.window!.runs).toBe(92 + 30);
    expect(after.features[0]!.count).toBe(92 + 30);
    expect((await uplink.collect())!.counters.runs).toBe(30);
    await model.dispose();
  });

  it('closed windows are reported on the grid; the model keeps rolling in real time', async () => {
    const model = await load({ windowMs: 1000 });
    const rows = weatherRows((d) => d.startsWith('2013'));
    await feed(model, rows.slice(0, 50));
    const first = (await model.drift()).window!;
    await new Promise((r) => setTimeout(r, first.end - Date.now() + 20));
    await feed(model, rows.slice(50, 60));
    const now = await model.drift();
    expect(now.window!.start).toBeGreaterThanOrEqual(first.end);
    expect(now.window!.runs).toBe(10);
    expect(now.previousWindow).toMatchObject({ start: first.start, runs: 50 });
    const windows = await model.takeWindows();
    expect(windows.map((w) => w.body.counters.runs)).toEqual([50]);
    expect(isGridWindow(windows[0]!.window, 1000)).toBe(true);
    await model.dispose();
  });
});
