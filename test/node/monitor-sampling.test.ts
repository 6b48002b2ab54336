import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runIdOf, tensor, type Model } from '@edgewise/core';
import { parseCsv } from '@edgewise/drift';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { MNIST_FEATURES } from '../../models/scripts/mnist-features.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';
import { packageFile } from '../../models/scripts/package-file.js';
import { WEATHER_FEATURES, WEATHER_FEATURE_SPECS, inTraining, weatherRows } from '../../models/scripts/weather-mlp.js';

const generated = (path: string) => fileURLToPath(new URL(`../../models/generated/${path}`, import.meta.url));
const withinBinomial = (taken: number, n: number, p: number) => Math.abs(taken - n * p) <= 6 * Math.sqrt(n * p * (1 - p));

const loadMnistModel = (monitor: object) =>
  createNodeRuntime().loadModel({ source: generated('mnist/model-int8.onnx'), engine: 'onnx', backends: ['wasm'], numThreads: 1, monitor: { baseline: generated('mnist/baseline.json'), features: MNIST_FEATURES, ...monitor } });
const loadWeather = (monitor: object) =>
  createNodeRuntime().loadModel({ source: generated('weather-mlp/model.onnx'), engine: 'onnx', monitor: { baseline: generated('weather-mlp/baseline.json'), features: WEATHER_FEATURE_SPECS, ...monitor } });

async function feedDigits(model: Model, images: Float32Array, count: number, runId?: (i: number) => string): Promise<Array<string | undefined>> {
  const ids: Array<string | undefined> = [];
  for (let i = 0; i < count; i++) {
    const at = (i % (images.length / MNIST_PIXELS)) * MNIST_PIXELS;
    const outputs = await model.run({ input: tensor('float32', images.slice(at, at + MNIST_PIXELS), [1, MNIST_PIXELS]) }, runId ? { runId: runId(i) } : undefined);
    ids.push(runIdOf(outputs));
  }
  return ids;
}
const feedRows = async (model: Model, rows: number[][]) => {
  for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
};

describe('monitor sampling (monitor.sample, monitor.cpuBudget) on real models', () => {
  it('MNIST int8, sample 0.25: the training digits count in full, sketch a quarter, and do not drift', async () => {
    const model = await loadMnistModel({ sample: 0.25 });
    const { train } = loadMnist();
    const n = train.images.length / MNIST_PIXELS;
    const ids = await feedDigits(model, train.images, n);
    const health = await model.health();
    expect(health.counters.runs).toBe(n);
    const { sketched, skipped } = health.sampling!;
    expect(sketched + skipped).toBe(n);
    expect(withinBinomial(sketched, n, 0.25)).toBe(true);
    // Automatic ids (for feedback) only on the runs sketched: a run passed over keeps no prediction.
    expect(ids.filter((id) => id !== undefined)).toHaveLength(sketched);
    const drift = await model.drift();
    for (const feature of drift.features) expect(feature.count, feature.feature).toBe(sketched);
    expect(drift.drifted).toBe(false);
    expect(drift.window!.runs).toBe(n);
    await model.dispose();
  }, 60_000);

  it('weather-mlp, sample 0.5: Seattle\'s training rows do not drift; New York\'s rows still do', async () => {
    const seattle = await loadWeather({ sample: 0.5 });
    await feedRows(seattle, weatherRows(inTraining));
    expect((await seattle.drift()).drifted).toBe(false);
    await seattle.dispose();

    const data = parseCsv(readFileSync(packageFile('vega-datasets', 'data/weather.csv'), 'utf8'));
    const rows: number[][] = [];
    data.location!.forEach((city, i) => {
      if (city === 'New York' && String(data.date![i]) < '2014') rows.push(WEATHER_FEATURES.map((f) => data[f]![i] as number));
    });
    const newYork = await loadWeather({ sample: 0.5 });
    await feedRows(newYork, rows);
    const report = await newYork.drift();
    expect(report.drifted).toBe(true);
    expect(report.features.find((f) => f.feature === 'temp_min')!.drifted).toBe(true);
    expect((await newYork.health()).sampling!.sketched).toBeLessThan(rows.length);
    await newYork.dispose();
  }, 60_000);

  it('MNIST int8, cpuBudget 0.1 %: the fraction falls below 1, caller-named runs are all kept and labelled', async () => {
    const model = await loadMnistModel({ cpuBudget: 0.001 });
    const { test } = loadMnist();
    await feedDigits(model, test.images, 4000);
    const health = await model.health();
    // 0.1 % of a ~0.1 ms run is ~0.1 µs: far below a sketched run's few µs, so most runs are passed over.
    expect(health.sampling!.fraction).toBeLessThan(0.5);
    expect(health.sampling!.fraction).toBeGreaterThanOrEqual(1e-4);
    expect(health.sampling!.skipped).toBeGreaterThan(1000);
    expect(health.counters.runs).toBe(4000);
    const named = await feedDigits(model, test.images, 50, (i) => `digit-${i}`);
    expect(named).toEqual(Array.from({ length: 50 }, (_, i) => `digit-${i}`));
    expect(await model.feedback('digit-3', test.labels[3]!)).toBe(true);
    expect((await model.health()).accuracy).toMatchObject({ labeled: 1 });
    await model.dispose();
  }, 60_000);

  it('a bad sample or cpuBudget fails the load with a RangeError naming the option', async () => {
    await expect(loadMnistModel({ sample: 0 })).rejects.toThrow(/monitor\.sample must be a fraction of runs in \[0\.0001, 1\]; received 0/);
    await expect(loadMnistModel({ cpuBudget: 5 })).rejects.toThrow(/monitor\.cpuBudget must be a share of the model's run time in \(0, 1\)/);
  });
});
