import { fileURLToPath } from 'node:url';
import { InputError, NoBaselineError, SuspiciousInputError, tensor, type Model } from '@edgewise/core';
import { readSnapshot } from '@edgewise/drift';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS, inTraining, weatherRows } from '../../models/scripts/weather-mlp.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
const load = (monitor: object = {}) =>
  createNodeRuntime().loadModel({
    source: `${dir}model.onnx`,
    engine: 'onnx',
    monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS, ...monitor },
  });
const feed = async (model: Model, rows: number[][]) => {
  for (const row of rows) await model.run({ input: tensor('float32', row, [1, 4]) });
};

describe('monitor attached to a model (Node, real seattle-weather inputs)', () => {
  it('sees no drift on inputs like the training period, and drift on summer-only inputs', async () => {
    // Every other day of 2012–2013 (the baseline's period). A later year is no "calm" control here:
    // 2014 ran warm enough that KS flags temp_max at p ≈ 0.0005, which this monitor rightly reports.
    const calm = await load();
    await feed(calm, weatherRows(inTraining).filter((_, i) => i % 2 === 1));
    const calmReport = await calm.drift();
    expect(calmReport.features.map((f) => f.feature).sort()).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    expect(calmReport.drifted).toBe(false);

    const summer = await load();
    await feed(summer, weatherRows((d) => /^2014-0[6-8]/.test(d)));
    const report = await summer.drift();
    expect(report.drifted).toBe(true);
    const tempMax = report.features.find((f) => f.feature === 'temp_max')!;
    // 731 baseline rows (≤ 1000): KS, as Evidently would choose; its score is a p-value.
    expect(tempMax).toMatchObject({ method: 'ks', drifted: true });
    expect(tempMax.score).toBeLessThan(0.05);
    expect(tempMax.metrics.wasserstein).toBeGreaterThan(0.1);
  });

  it('keeps health: runs, latency quantiles, confidence, predicted classes, backends', async () => {
    const model = await load();
    const rows = weatherRows((d) => d.startsWith('2015-01'));
    await feed(model, rows);
    const health = await model.health();
    expect(health.counters).toEqual({ runs: rows.length, errors: 0, rejected: 0, fallbacks: 0 });
    expect(health.backends).toEqual({ wasm: rows.length });
    expect(health.latencyMs.count).toBe(rows.length);
    expect(health.latencyMs.p50).toBeGreaterThan(0);
    expect(health.latencyMs.p99).toBeGreaterThanOrEqual(health.latencyMs.p50);
    expect(health.confidence.p50).toBeGreaterThan(0.2); // 5 classes: the max share is ≥ 0.2
    expect(Object.values(health.topClasses).reduce((a, b) => a + b, 0)).toBe(rows.length);
  });

  it('monitor: false records nothing (no sketches, no counters) but still validates inputs', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: false });
    const rows = weatherRows((d) => d.startsWith('2015-01'));
    await feed(model, rows);
    const health = await model.health();
    expect(health.counters.runs).toBe(0);
    expect(health.latencyMs.count).toBe(0);
    await expect(model.drift()).rejects.toMatchObject({ code: 'E_NO_BASELINE' });
    await expect(model.run({ input: tensor('float32', [0, NaN, 10, 3], [1, 4]) })).rejects.toBeInstanceOf(InputError);
    await model.dispose();
  });

  it('circuit breaker: rejects out-of-range inputs with a typed error and counts them', async () => {
    const model = await load({ onSuspicious: 'reject' });
    const error = await model.run({ input: tensor('float32', [0, 80, 10, 3], [1, 4]) }).catch((e) => e);
    expect(error).toBeInstanceOf(SuspiciousInputError);
    expect(error).toMatchObject({ code: 'E_SUSPICIOUS_INPUT', feature: 'temp_max', value: 80 });
    expect(error.message).toMatch(/temp_max" is 80; the baseline allows \[/);
    await expect(model.run({ input: tensor('float32', [0, NaN, 10, 3], [1, 4]) })).rejects.toBeInstanceOf(InputError);
    await model.run({ input: tensor('float32', [0, 20, 10, 3], [1, 4]) });
    expect((await model.health()).counters).toMatchObject({ runs: 1, rejected: 2 });
    // Counted, not rejected, by default.
    const lenient = await load();
    await lenient.run({ input: tensor('float32', [0, 80, 10, 3], [1, 4]) });
    expect((await lenient.health()).counters.runs).toBe(1);
  });

  it('snapshot holds aggregates that decode and match the counters; reset clears them', async () => {
    const model = await load();
    await feed(model, weatherRows((d) => d.startsWith('2015-02')));
    const bytes = await model.snapshot({ reset: true });
    const snap = readSnapshot(bytes);
    expect(snap.counters.runs).toBe(28);
    expect(snap.features.get('temp_max')!.count).toBe(28);
    expect((await model.health()).counters.runs).toBe(0);
  });

  it('drift() without a baseline says what is missing', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx' });
    await expect(model.drift()).rejects.toBeInstanceOf(NoBaselineError);
  });

  it('a malformed baseline is reported by name, before any model work', async () => {
    const runtime = createNodeRuntime();
    const bad = { format: 'edgewise-baseline', version: 1, features: { t: { kind: 'numeric', edges: [1, 2], counts: [1], sketch: 'x' } } };
    await expect(runtime.loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: bad as never } })).rejects.toThrow(
      /feature "t" needs "edges" and "counts"/,
    );
    await expect(
      runtime.loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { features: [{ name: 'x', input: 'input', reduce: 'median' as never }] } }),
    ).rejects.toThrow(/reduce is "median"; allowed: value, mean/);
  });
});
