import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FEATURES } from '../../models/scripts/mnist-features.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';

const dir = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
const INGEST = 'labels-ingest';
const READ = 'labels-read';
const DIGITS = 300;
let collector: RunningCollector;
const { test } = loadMnist();

beforeAll(async () => {
  collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `labels-${randomUUID()}`, ingestKey: INGEST, readKey: READ }], k: 1, ratePerMinute: 100_000, privacy: false }); // exact live series: label counting is under test; released labels: COLLECTOR_RELEASE_LABELS
}, 60_000);
afterAll(() => collector?.close());

const load = (labels?: object) =>
  createNodeRuntime().loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES, labels } });

/** Runs `count` real test digits (spread over the classes) with run ids; returns their true labels by id. */
async function predict(model: Model, prefix: string, count = DIGITS): Promise<Map<string, number>> {
  const truth = new Map<string, number>();
  const step = Math.floor(test.count / count);
  for (let i = 0; i < count; i++) {
    const at = i * step;
    const runId = `${prefix}-${i}`;
    await model.run({ input: tensor('float32', test.images.slice(at * MNIST_PIXELS, (at + 1) * MNIST_PIXELS), [1, MNIST_PIXELS]) }, { runId });
    truth.set(runId, test.labels[at]!);
  }
  return truth;
}

async function report(model: Model, version: string) {
  const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: INGEST, source: model, model: 'mnist', modelVersion: version, outbox: new MemoryOutbox(), privacy: false });
  await uplink.collect();
  expect(await uplink.flush()).toMatchObject({ sent: 1, pending: 0 });
  const r = await fetch(`${collector.url}/v1/accuracy?model=mnist&version=${version}`, { headers: { authorization: `Bearer ${READ}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as { windows: Array<{ labeled: number; correct: number; accuracy: number; confusion: Record<string, number>; calibration: Array<{ labeled: number; correct: number }> }> };
}

describe('delayed labels: MNIST predictions, correct vs flipped feedback, device counts and the collector series over HTTP', () => {
  it('correct labels give high accuracy, flipped labels give low accuracy, on the device and at the collector', async () => {
    const right = await load();
    for (const [runId, label] of await predict(right, 'a')) expect(await right.feedback(runId, label)).toBe(true);
    const flipped = await load();
    for (const [runId, label] of await predict(flipped, 'b')) expect(await flipped.feedback(runId, (label + 1) % 10)).toBe(true);

    const a = (await right.health()).accuracy!;
    const b = (await flipped.health()).accuracy!;
    expect(a).toMatchObject({ labeled: DIGITS, window: { labeled: DIGITS } });
    expect(a.correct / a.labeled).toBeGreaterThan(0.9);
    expect(b.labeled).toBe(DIGITS);
    // Flipped labels agree with the model only where it is wrong in exactly that way.
    expect(b.correct / b.labeled).toBeLessThan(0.05);

    const body = (await right.aggregates()).body;
    const confusion = body.labels!.confusion;
    expect(Object.values(confusion).reduce((s, n) => s + n, 0)).toBe(DIGITS);
    const diagonal = Object.entries(confusion).filter(([cell]) => cell.split(':')[0] === cell.split(':')[1]).reduce((s, [, n]) => s + n, 0);
    expect(diagonal).toBe(a.correct);
    body.labels!.labeled.counts.forEach((n, i) => expect(body.labels!.correct.counts[i]).toBeLessThanOrEqual(n));
    // Calibration: most right answers come with high confidence.
    expect(body.labels!.correct.counts.slice(-2).reduce((s, n) => s + n, 0)).toBeGreaterThan(a.correct / 2);

    const seriesRight = await report(right, '1.1.0');
    const seriesFlipped = await report(flipped, '1.1.0-flipped');
    expect(seriesRight.windows).toHaveLength(1);
    expect(seriesRight.windows[0]).toMatchObject({ labeled: DIGITS, correct: a.correct });
    expect(seriesRight.windows[0]!.accuracy).toBeGreaterThan(0.9);
    expect(seriesRight.windows[0]!.confusion).toEqual(confusion);
    expect(seriesFlipped.windows[0]).toMatchObject({ labeled: DIGITS, correct: b.correct });
    expect(seriesFlipped.windows[0]!.accuracy).toBeLessThan(0.05);
    await right.dispose();
    await flipped.dispose();
  }, 60_000);

  it('a label counts once, only for a known run, and only within maxAgeMs', async () => {
    const model = await load({ maxAgeMs: 200 });
    const truth = await predict(model, 'c', 3);
    const [first, second] = [...truth.keys()];
    expect(await model.feedback(first!, truth.get(first!)!)).toBe(true);
    expect(await model.feedback(first!, truth.get(first!)!)).toBe(false);
    expect(await model.feedback('never-ran', 1)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(await model.feedback(second!, truth.get(second!)!)).toBe(false);
    expect((await model.health()).accuracy).toMatchObject({ labeled: 1, expired: 2 });
    await expect(model.feedback(first!, -1)).rejects.toThrow(TypeError);
    await expect(model.run({ input: tensor('float32', new Float32Array(MNIST_PIXELS), [1, MNIST_PIXELS]) }, { runId: '' })).rejects.toThrow(/runId/);
    await model.dispose();
  });
});
