import { tensor } from '@edgewise/core';
import { parseCsv, readSnapshot } from '@edgewise/drift';
import { describe, expect, it } from 'vitest';
import { makeRuntime } from './fixtures.js';

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];

async function summerRows(): Promise<number[][]> {
  const data = parseCsv(await (await fetch('/node_modules/vega-datasets/data/seattle-weather.csv')).text());
  const rows: number[][] = [];
  data.date!.forEach((d, i) => /^2014-0[6-8]/.test(String(d)) && rows.push(FEATURES.map((f) => data[f]![i] as number)));
  return rows;
}

describe('monitor inside the worker', () => {
  it('sketches every run in the worker and reports drift, health and a decodable snapshot', async () => {
    const model = await makeRuntime().loadModel({
      source: '/models/generated/weather-mlp/model.onnx',
      engine: 'onnx',
      backends: ['wasm'],
      worker: true,
      monitor: {
        baseline: '/models/generated/weather-mlp/baseline.json',
        features: FEATURES.map((name, index) => ({ name, input: 'input', index })),
      },
    });
    const rows = await summerRows();
    for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
    const report = await model.drift();
    expect(report.drifted).toBe(true);
    expect(report.features.find((f) => f.feature === 'temp_max')!.drifted).toBe(true);
    const health = await model.health();
    expect(health.counters.runs).toBe(rows.length);
    const snap = readSnapshot(await model.snapshot());
    expect(snap.features.get('temp_min')!.count).toBe(rows.length);
    expect(snap.latency.count).toBe(rows.length);
    await model.dispose();
  });
});
