import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { runIdOf, tensor, type Model } from '@edgewise/core';
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

/**
 * Reports the model's windows and reads the collector's accuracy series back, summed over its
 * windows: a test run that crosses an hour boundary (the default window) reports two.
 */
async function report(model: Model, version: string) {
  const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: INGEST, source: model, model: 'mnist', modelVersion: version, outbox: new MemoryOutbox(), privacy: false });
  await uplink.collect();
  const flushed = await uplink.flush();
  expect(flushed).toMatchObject({ dropped: 0, pending: 0 });
  expect(flushed.sent).toBeGreaterThanOrEqual(1);
  const r = await fetch(`${collector.url}/v1/accuracy?model=mnist&version=${version}`, { headers: { authorization: `Bearer ${READ}` } });
  expect(r.status).toBe(200);
  const { windows } = (await r.json()) as { windows: Array<{ labeled: number; correct: number; confusion: Record<string, number> }> };
  expect(windows.length).toBeGreaterThanOrEqual(1);
  const confusion: Record<string, number> = {};
  for (const w of windows) for (const [cell, n] of Object.entries(w.confusion)) confusion[cell] = (confusion[cell] ?? 0) + n;
  const labeled = windows.reduce((s, w) => s + w.labeled, 0);
  const correct = windows.reduce((s, w) => s + w.correct, 0);
  return { labeled, correct, accuracy: correct / labeled, confusion };
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
    expect(seriesRight).toMatchObject({ labeled: DIGITS, correct: a.correct });
    expect(seriesRight.accuracy).toBeGreaterThan(0.9);
    expect(seriesRight.confusion).toEqual(confusion);
    expect(seriesFlipped).toMatchObject({ labeled: DIGITS, correct: b.correct });
    expect(seriesFlipped.accuracy).toBeLessThan(0.05);
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

describe('delayed labels without caller ids: every run of a classifier gets one', () => {
  const digit = (i: number) => ({ input: tensor('float32', test.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), [1, MNIST_PIXELS]) });

  it('runIdOf(outputs) names each run, and feedback with it counts like a caller-named run', async () => {
    const model = await load();
    const ids = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const id = runIdOf(await model.run(digit(i)));
      expect(id).toMatch(/^[0-9a-z]+\.[0-9a-z]+$/);
      ids.set(id!, test.labels[i]!);
    }
    expect(ids.size).toBe(200);
    for (const [id, label] of ids) expect(await model.feedback(id, label)).toBe(true);
    const accuracy = (await model.health()).accuracy!;
    expect(accuracy).toMatchObject({ labeled: 200, expired: 0 });
    expect(accuracy.correct / accuracy.labeled).toBeGreaterThan(0.9);
    // A caller's id is the one runIdOf gives back.
    expect(runIdOf(await model.run(digit(0), { runId: 'mine' }))).toBe('mine');
    // Another load mints other ids: a label never lands on a run of a different model.
    const other = await load();
    const theirs = runIdOf(await other.run(digit(0)))!;
    expect(ids.has(theirs)).toBe(false);
    expect(await model.feedback(theirs, 1)).toBe(false);
    await model.dispose();
    await other.dispose();
  }, 60_000);

  it('unlabelled automatic runs never push out a caller-named one, nor count as expired', async () => {
    const model = await load({ maxPending: 20 });
    await model.run(digit(0), { runId: 'named' });
    for (let i = 1; i <= 100; i++) await model.run(digit(i));
    expect(await model.feedback('named', test.labels[0]!)).toBe(true);
    expect((await model.health()).accuracy).toMatchObject({ labeled: 1, expired: 0 });
    await model.dispose();
  });

  it('monitor.labels.autoRunIds: false keeps caller-named runs only; monitor: false keeps none', async () => {
    const quiet = await load({ autoRunIds: false });
    expect(runIdOf(await quiet.run(digit(0)))).toBeUndefined();
    expect(runIdOf(await quiet.run(digit(0), { runId: 'kept' }))).toBe('kept');
    const unmonitored = await createNodeRuntime().loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: false });
    expect(runIdOf(await unmonitored.run(digit(0)))).toBeUndefined();
    await quiet.dispose();
    await unmonitored.dispose();
  });
});
