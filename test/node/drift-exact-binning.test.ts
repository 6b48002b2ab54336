import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Model } from '@edgewise/core';
import { parseBaseline, parseCsv, type NumericBaseline } from '@edgewise/drift';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { MNIST_FEATURES } from '../../models/scripts/mnist-features.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';
import { packageFile } from '../../models/scripts/package-file.js';
import { WEATHER_FEATURES, WEATHER_FEATURE_SPECS, inTraining, weatherRows } from '../../models/scripts/weather-mlp.js';

const generated = (path: string) => fileURLToPath(new URL(`../../models/generated/${path}`, import.meta.url));
const baselineOf = (path: string) => parseBaseline(JSON.parse(readFileSync(generated(path), 'utf8')));

/** Feeds rows as float32 batches (as every model takes them), `batch` rows per run. */
async function feed(model: Model, rows: ArrayLike<number>, width: number, batch: number): Promise<void> {
  const count = rows.length / width;
  for (let at = 0; at < count; at += batch) {
    const n = Math.min(batch, count - at);
    await model.run({ input: tensor('float32', Float32Array.from(Array.prototype.slice.call(rows, at * width, (at + n) * width)), [n, width]) });
  }
}

/** The device's bin counts per feature equal the baseline's own: the strongest "no drift" there is. */
async function expectBaselineReproduced(model: Model, baselinePath: string): Promise<void> {
  const baseline = baselineOf(baselinePath);
  const { body } = await model.aggregates();
  const report = await model.drift();
  for (const [name, feature] of Object.entries(baseline.features)) {
    const base = feature as NumericBaseline;
    const got = body.features[name];
    expect(got, name).toMatchObject({ kind: 'numeric', counts: base.counts, belowRange: 0, aboveRange: 0 });
    const drift = report.features.find((f) => f.feature === name)!;
    expect(drift.metrics.psi, name).toBeLessThan(1e-9);
    expect(drift.metrics['jensen-shannon'], name).toBeLessThan(1e-6);
    expect(drift.drifted, name).toBe(false);
  }
  expect(report.drifted).toBe(false);
}

describe('float32-exact binning: every shipped baseline\'s own rows through the real model', () => {
  it('weather-mlp: the 731 training rows as float32 reproduce the baseline bins exactly (no drift)', async () => {
    const model = await createNodeRuntime().loadModel({
      source: generated('weather-mlp/model.onnx'),
      engine: 'onnx',
      monitor: { baseline: generated('weather-mlp/baseline.json'), features: WEATHER_FEATURE_SPECS },
    });
    const rows = weatherRows(inTraining);
    expect(rows.length).toBe(731);
    await feed(model, rows.flat(), 4, 1);
    await expectBaselineReproduced(model, 'weather-mlp/baseline.json');
    await model.dispose();
  });

  it('mnist: the 8004 training digits (fp32 and int8 models) reproduce the baseline bins exactly', async () => {
    const { train } = loadMnist();
    for (const file of ['model.onnx', 'model-int8.onnx']) {
      const model = await createNodeRuntime().loadModel({
        source: generated(`mnist/${file}`),
        engine: 'onnx',
        monitor: { baseline: generated('mnist/baseline.json'), features: MNIST_FEATURES },
      });
      await feed(model, train.images, MNIST_PIXELS, 200);
      await expectBaselineReproduced(model, 'mnist/baseline.json');
      await model.dispose();
    }
  }, 60_000);

  it('weather-mlp: New York\'s rows (vega-datasets weather.csv) drift from the Seattle baseline', async () => {
    const data = parseCsv(readFileSync(packageFile('vega-datasets', 'data/weather.csv'), 'utf8'));
    const rows: number[] = [];
    data.location!.forEach((city, i) => {
      if (city === 'New York' && String(data.date![i]) < '2014') rows.push(...WEATHER_FEATURES.map((f) => data[f]![i] as number));
    });
    const model = await createNodeRuntime().loadModel({
      source: generated('weather-mlp/model.onnx'),
      engine: 'onnx',
      monitor: { baseline: generated('weather-mlp/baseline.json'), features: WEATHER_FEATURE_SPECS },
    });
    await feed(model, rows, 4, 1);
    const report = await model.drift();
    expect(report.drifted).toBe(true);
    // New York's winters are colder and its summers hotter than Seattle's.
    expect(report.features.find((f) => f.feature === 'temp_min')!.drifted).toBe(true);
    expect(report.features.find((f) => f.feature === 'temp_max')!.drifted).toBe(true);
    await model.dispose();
  });
});
