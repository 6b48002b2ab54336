import { runIdOf, tensor } from '@edgewise/core';
import { parseCsv } from '@edgewise/drift';
import { isGridWindow } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { makeRuntime } from './fixtures.js';

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];

const seattleRows = async () => {
  const data = parseCsv(await (await fetch('/node_modules/vega-datasets/data/seattle-weather.csv')).text());
  return data.date!.map((_, i) => FEATURES.map((f) => data[f]![i] as number));
};
/** The weather model in a worker, monitoring its four inputs against the shipped baseline, plus `monitor`. */
const loadWeatherInWorker = (monitor: object = {}) =>
  makeRuntime().loadModel({
    source: '/models/generated/weather-mlp/model.onnx',
    engine: 'onnx',
    backends: ['wasm'],
    worker: true,
    monitor: { baseline: '/models/generated/weather-mlp/baseline.json', features: FEATURES.map((name, index) => ({ name, input: 'input', index })), ...monitor },
  });

describe('drift windows in a worker, in real time', () => {
  it('3 s windows close and roll on the grid; taking them leaves local drift unchanged; feedback crosses the worker', async () => {
    const rows = await seattleRows();
    const model = await loadWeatherInWorker({ windowMs: 3000 });
    // Start just after a grid boundary so the first batch falls in one window.
    await new Promise((r) => setTimeout(r, 3000 - (Date.now() % 3000) + 10));
    for (const [i, row] of rows.slice(0, 40).entries()) await model.run({ input: tensor('float32', row, [1, 4]) }, { runId: `r${i}` });
    const first = (await model.drift()).window!;
    expect(first.runs).toBe(40);
    expect(await model.feedback('r0', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, first.end - Date.now() + 20));
    for (const row of rows.slice(40, 55)) await model.run({ input: tensor('float32', row, [1, 4]) });
    const before = await model.drift();
    expect(before.window!.start).toBeGreaterThanOrEqual(first.end);
    expect(before.window!.runs).toBe(15);
    expect(before.previousWindow).toMatchObject({ start: first.start, runs: 40 });
    const taken = await model.takeWindows();
    expect(taken).toHaveLength(1);
    expect(isGridWindow(taken[0]!.window, 3000)).toBe(true);
    expect(taken[0]!.body.counters.runs).toBe(40);
    expect(taken[0]!.body.labels!.labeled.counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await model.drift()).toEqual(before);
    expect((await model.health()).counters.runs).toBe(55);
    await model.dispose();
  });

  it("a run's automatic id comes back from the worker with its outputs, and labels that run", async () => {
    const data = parseCsv(await (await fetch('/node_modules/vega-datasets/data/seattle-weather.csv')).text());
    const model = await makeRuntime().loadModel({
      source: '/models/generated/weather-mlp/model.onnx',
      engine: 'onnx',
      backends: ['wasm'],
      worker: true,
      monitor: { baseline: '/models/generated/weather-mlp/baseline.json', features: FEATURES.map((name, index) => ({ name, input: 'input', index })) },
    });
    const row = () => tensor('float32', FEATURES.map((f) => data[f]![0] as number), [1, 4]);
    const ids = [runIdOf(await model.run({ input: row() })), runIdOf(await model.run({ input: row() }))];
    expect(ids[0]).toMatch(/^[0-9a-z]+\.[0-9a-z]+$/);
    expect(ids[1]).not.toBe(ids[0]);
    expect(runIdOf(await model.run({ input: row() }, { runId: 'named' }))).toBe('named');
    expect(await model.feedback(ids[1]!, 0)).toBe(true);
    expect(await model.feedback(ids[1]!, 0)).toBe(false);
    expect((await model.health()).accuracy).toMatchObject({ labeled: 1 });
    await model.dispose();
  });

  it('monitor.sample and cpuBudget cross to the worker: every run counted, a sample sketched, health().sampling back', async () => {
    const rows = await seattleRows();
    const model = await loadWeatherInWorker({ sample: 0.5, cpuBudget: 0.01 });
    for (const row of rows.slice(0, 400)) await model.run({ input: tensor('float32', row, [1, 4]) });
    const health = await model.health();
    expect(health.counters.runs).toBe(400);
    const { sketched, skipped, fraction } = health.sampling!;
    expect(sketched + skipped).toBe(400);
    // At most half (sample caps the budget's fraction), and 6 σ around it at most.
    expect(fraction).toBeLessThanOrEqual(0.5);
    expect(sketched).toBeLessThanOrEqual(200 + 6 * Math.sqrt(100));
    expect(sketched).toBeGreaterThan(0);
    expect(health.latencyMs.count).toBe(400); // latency: every run
    expect((await model.drift()).features[0]!.count).toBe(sketched);
    await model.dispose();
  });
});
