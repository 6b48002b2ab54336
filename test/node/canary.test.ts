import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startCollector } from '@edgewise/collector';
import { tensor, type CanaryVerdict, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { MemoryStore, ModelCache, type Manifest } from '@edgewise/store';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { describe, expect, it } from 'vitest';
import { describeFiles } from '../../models/scripts/manifest.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';

const dir = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
const { test } = loadMnist();
const digit = (i: number) => ({ input: tensor('float32', test.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), [1, MNIST_PIXELS]) });

/**
 * A model server over real HTTP: MNIST int8 as 1.0.0 (latest) and `candidate` as 1.1.0, with a
 * rollout of 1.1.0 to `rollout` percent of devices that the test changes between loads.
 */
async function modelServer(candidate: string) {
  const versions = {
    '1.0.0': { engine: 'onnx', entry: 'model-int8.onnx', files: await describeFiles(dir, ['model-int8.onnx']) },
    '1.1.0': { engine: 'onnx', entry: candidate, files: await describeFiles(dir, [candidate]) },
  };
  const state = { rollout: 0 };
  const manifest = (): Manifest => ({ format: 'edgewise-manifest', version: 1, name: 'mnist', latest: '1.0.0', revoked: [], rollout: { version: '1.1.0', percent: state.rollout }, versions });
  const server: Server = createServer((request, response) => {
    const name = (request.url ?? '').split('?')[0]!.replace(/^\/mnist\//, '');
    if (name === 'manifest.json') return response.setHeader('content-type', 'application/json').end(JSON.stringify(manifest()));
    if (name !== 'model-int8.onnx' && name !== candidate) return response.writeHead(404).end();
    readFile(`${dir}${name}`).then((bytes) => response.end(bytes), () => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist/manifest.json`;
  return { url, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Runs real digits until the canary guard decides (or `max` runs), as an app does: one per event,
 * yielding to the event loop between them. The reference runs in a macrotask after each canary
 * run, off the caller's path; a loop that never yields gets them dropped (beyond maxPending) and
 * its verdict waits (see README, "Canary guard").
 */
async function runUntilVerdict(model: Model, max: number): Promise<{ verdict: CanaryVerdict; ran: number }> {
  const verdicts: CanaryVerdict[] = [];
  model.on('canary', (v) => verdicts.push(v));
  let ran = 0;
  while (verdicts.length === 0 && ran < max) {
    await model.run(digit(ran++));
    await new Promise((r) => setTimeout(r, 0));
  }
  // The verdict may land just after the last run (its reference run, then the swap).
  for (let i = 0; i < 200 && verdicts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(verdicts, `no canary verdict after ${ran} runs: ${JSON.stringify((await model.health()).canary)}`).toHaveLength(1);
  return { verdict: verdicts[0]!, ran };
}

const top1 = (p: Float32Array) => p.indexOf(Math.max(...p));

describe('canary guard on the device (real MNIST over HTTP through @edgewise/node)', () => {
  it('a scrambled 1.1.0 reached through rollout is rolled back on disagreement: event, hot swap, store, report, collector', async () => {
    const server = await modelServer('model-int8-scrambled.onnx');
    const cache = new ModelCache(new MemoryStore(), { revalidate: 'before-load', bucket: 0 });
    const runtime = createNodeRuntime({ models: cache });
    const collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `canary-${randomUUID()}`, ingestKey: 'ci', readKey: 'cr' }], k: 1, ratePerMinute: 100_000, privacy: false });
    try {
      const before = await runtime.loadModel({ manifest: server.url });
      expect(before.version).toBe('1.0.0');
      expect((await before.health()).canary).toBeUndefined();

      server.state.rollout = 100;
      const model = await runtime.loadModel({ manifest: server.url, canary: { minRuns: 50 } });
      expect(model.version).toBe('1.1.0');
      expect((await model.health()).canary).toMatchObject({ state: 'guarding', version: '1.1.0', previous: '1.0.0', runs: 0 });
      // The scrambled candidate really is broken: it answers (finite, no error), but wrongly.
      const broken = (await model.run(digit(0))).probabilities!.data as Float32Array;
      expect(broken.every(Number.isFinite)).toBe(true);

      const { verdict, ran } = await runUntilVerdict(model, 400);
      console.log(`[canary] scrambled 1.1.0: ${verdict.outcome} (${verdict.reason}) after ${ran} runs: agreed ${verdict.agreed}/${verdict.items}, canary ${verdict.canaryMs.toFixed(3)} ms vs reference ${verdict.referenceMs.toFixed(3)} ms (medians)`);
      expect(verdict).toMatchObject({ outcome: 'rolled-back', reason: 'agreement', version: '1.1.0', previous: '1.0.0', canaryErrors: 0, referenceErrors: 0 });
      expect(verdict.rollbackError).toBeUndefined();
      expect(verdict.runs).toBeGreaterThanOrEqual(50);
      expect(verdict.compared).toBeGreaterThanOrEqual(50);
      expect(verdict.agreed / verdict.items).toBeLessThan(0.5);

      // The same model object now answers as 1.0.0 does, bit for bit.
      expect(model.version).toBe('1.0.0');
      expect((await model.health()).canary).toMatchObject({ state: 'rolled-back', reason: 'agreement' });
      let agree = 0;
      for (let i = 1000; i < 1020; i++) {
        const now = (await model.run(digit(i))).probabilities!.data as Float32Array;
        const reference = (await before.run(digit(i))).probabilities!.data as Float32Array;
        expect(Array.from(now)).toEqual(Array.from(reference));
        agree += top1(now) === test.labels[i] ? 1 : 0;
      }
      expect(agree).toBeGreaterThanOrEqual(17); // the real model, not the scrambled one

      // The next reports carry the verdict with the canary's runs, and the collector serves it per
      // version and window; the 20 runs after the swap are reported as 1.0.0's, which made them.
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: 'ci', source: model, model: 'mnist', modelVersion: '1.1.0', outbox: new MemoryOutbox(), privacy: false });
      const [report, after] = await uplink.collectWindows(true);
      expect([report!.modelVersion, after!.modelVersion]).toEqual(['1.1.0', '1.0.0']);
      expect(after!.counters.runs).toBe(20);
      expect(after!.canary).toBeUndefined();
      expect(report!.counters.runs).toBe(ran + 1); // digit 0, then the guarded runs
      expect(report!.canary).toEqual({
        outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0, rolledBackCrashes: 0 },
        evidence: { runs: verdict.runs, canaryErrors: 0, referenceRuns: verdict.referenceRuns, referenceErrors: 0, compared: verdict.compared, items: verdict.items, agreed: verdict.agreed },
      });
      expect(await uplink.flush()).toMatchObject({ sent: 2, pending: 0 });
      const served = (await (await fetch(`${collector.url}/v1/canary?model=mnist&version=1.1.0`, { headers: { authorization: 'Bearer cr' } })).json()) as { windows: Array<Record<string, unknown>> };
      expect(served.windows).toHaveLength(1);
      expect(served.windows[0]).toMatchObject({ passed: 0, rolledBack: 1, reasons: { agreement: 1, 'error-rate': 0, latency: 0 }, evidence: { runs: verdict.runs, agreed: verdict.agreed } });
      expect(served.windows[0]!.agreement).toBeLessThan(0.5);
      expect((await fetch(`${collector.url}/v1/canary?model=mnist`, { headers: { authorization: 'Bearer cr' } })).status).toBe(400);

      // The store rolled back too: a fresh 'latest' load gets 1.0.0 (while the manifest still rolls 1.1.0 out), unguarded.
      const fresh = await runtime.loadModel({ manifest: server.url });
      expect(fresh.version).toBe('1.0.0');
      expect((await fresh.health()).canary).toBeUndefined();
      await Promise.all([fresh.dispose(), model.dispose(), before.dispose()]);
    } finally {
      await collector.close();
      await server.close();
    }
  }, 120_000);

  it('a good 1.1.0 (fp32 beside the int8 1.0.0) passes: no rollback, the reference is released, the report says passed', async () => {
    const server = await modelServer('model.onnx');
    const runtime = createNodeRuntime({ models: new ModelCache(new MemoryStore(), { revalidate: 'before-load', bucket: 0 }) });
    await (await runtime.loadModel({ manifest: server.url })).dispose();
    server.state.rollout = 100;
    const model = await runtime.loadModel({ manifest: server.url, canary: { minRuns: 50, passRuns: 120 } });
    try {
      expect(model.version).toBe('1.1.0');
      const { verdict, ran } = await runUntilVerdict(model, 400);
      console.log(`[canary] fp32 1.1.0: ${verdict.outcome} after ${ran} runs: agreed ${verdict.agreed}/${verdict.items}, canary ${verdict.canaryMs.toFixed(3)} ms vs reference ${verdict.referenceMs.toFixed(3)} ms (medians)`);
      expect(verdict).toMatchObject({ outcome: 'passed', version: '1.1.0', previous: '1.0.0', runs: 120, canaryErrors: 0 });
      expect(verdict.reason).toBeUndefined();
      expect(verdict.agreed / verdict.items).toBeGreaterThanOrEqual(0.98);
      expect(model.version).toBe('1.1.0');
      expect((await model.health()).canary).toMatchObject({ state: 'passed' });
      expect((await model.aggregates()).body.canary!.outcomes).toEqual({ passed: 1, rolledBackErrorRate: 0, rolledBackAgreement: 0, rolledBackLatency: 0, rolledBackCrashes: 0 });
      // No rollback in the store: 'latest' still gets the rollout version, and, having passed
      // here, unguarded (no reference loaded beside it) though the guard is on by default.
      const again = await runtime.loadModel({ manifest: server.url });
      expect(again.version).toBe('1.1.0');
      expect((await again.health()).canary).toBeUndefined();
      await again.dispose();
    } finally {
      await model.dispose();
      await server.close();
    }
  }, 120_000);

  it('with privacy on at both ends, the canary section is bounded per group on the device and accepted', async () => {
    const server = await modelServer('model-int8-scrambled.onnx');
    const runtime = createNodeRuntime({ models: new ModelCache(new MemoryStore(), { revalidate: 'before-load', bucket: 0 }) });
    await (await runtime.loadModel({ manifest: server.url })).dispose();
    server.state.rollout = 100;
    const model = await runtime.loadModel({ manifest: server.url, canary: { minRuns: 30 } });
    const collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `canary-${randomUUID()}`, ingestKey: 'pi', readKey: 'pr' }], k: 1, ratePerMinute: 100_000 });
    try {
      await runUntilVerdict(model, 400);
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: 'pi', source: model, model: 'mnist', modelVersion: '1.1.0', outbox: new MemoryOutbox() });
      const report = (await uplink.collect())!;
      expect(report.canary!.outcomes.rolledBackAgreement).toBe(1); // L1 1: within the bound, unchanged
      expect(Object.values(report.canary!.evidence).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20);
      expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    } finally {
      await collector.close();
      await model.dispose();
      await server.close();
    }
  }, 120_000);

  it('offline, a rollout version that was active is still guarded, and rolled back without the network', async () => {
    const server = await modelServer('model-int8-scrambled.onnx');
    const runtime = createNodeRuntime({ models: new ModelCache(new MemoryStore(), { revalidate: 'before-load', bucket: 0 }) });
    await (await runtime.loadModel({ manifest: server.url })).dispose();
    server.state.rollout = 100;
    await (await runtime.loadModel({ manifest: server.url, canary: false })).dispose();
    await server.close(); // offline from here: the manifest cannot be fetched
    const model = await runtime.loadModel({ manifest: server.url, canary: { minRuns: 30 } });
    try {
      expect(model.version).toBe('1.1.0');
      expect((await model.health()).canary).toMatchObject({ state: 'guarding', version: '1.1.0', previous: '1.0.0' });
      const { verdict } = await runUntilVerdict(model, 400);
      expect(verdict).toMatchObject({ outcome: 'rolled-back', reason: 'agreement' });
      expect(verdict.rollbackError).toBeUndefined();
      expect(model.version).toBe('1.0.0');
      // Rolled back in the store too, still offline.
      const fresh = await runtime.loadModel({ manifest: server.url });
      expect(fresh.version).toBe('1.0.0');
      await fresh.dispose();
    } finally {
      await model.dispose();
    }
  }, 120_000);

  it('crashes carried in from earlier workers (as the worker host carries them) roll a canary back at load, before its first run', async () => {
    // A good fp32 1.1.0: nothing but the carried crashes can trip the guard.
    const server = await modelServer('model.onnx');
    const runtime = createNodeRuntime({ models: new ModelCache(new MemoryStore(), { revalidate: 'before-load', bucket: 0 }) });
    const before = await runtime.loadModel({ manifest: server.url });
    server.state.rollout = 100;
    try {
      // Below maxCrashes (default 2), or counted against another version: still guarding.
      const once = await runtime.loadModel({ manifest: server.url, resume: { canaryCrashes: { version: '1.1.0', crashes: 1 } } });
      expect((await once.health()).canary).toMatchObject({ state: 'guarding', crashes: 1 });
      await once.dispose();
      const other = await runtime.loadModel({ manifest: server.url, resume: { canaryCrashes: { version: '1.0.9', crashes: 5 } } });
      expect((await other.health()).canary).toMatchObject({ state: 'guarding', crashes: 0 });
      await other.dispose();

      const model = await runtime.loadModel({ manifest: server.url, resume: { canaryCrashes: { version: '1.1.0', crashes: 2 } } });
      // A listener attached right after the load still hears the verdict reached during it.
      const verdicts: CanaryVerdict[] = [];
      model.on('canary', (v) => verdicts.push(v));
      expect(model.version).toBe('1.0.0');
      const first = Array.from((await model.run(digit(7))).probabilities!.data as Float32Array);
      expect(first).toEqual(Array.from((await before.run(digit(7))).probabilities!.data as Float32Array));
      await new Promise((r) => setTimeout(r, 10));
      expect(verdicts).toEqual([expect.objectContaining({ outcome: 'rolled-back', reason: 'crashes', crashes: 2, runs: 0, version: '1.1.0', previous: '1.0.0' })]);
      expect(verdicts[0]!.rollbackError).toBeUndefined();
      expect((await model.aggregates()).body.canary!.outcomes).toMatchObject({ rolledBackCrashes: 1, passed: 0 });
      const fresh = await runtime.loadModel({ manifest: server.url });
      expect(fresh.version).toBe('1.0.0');
      await Promise.all([fresh.dispose(), model.dispose()]);
    } finally {
      await before.dispose();
      await server.close();
    }
  }, 120_000);
});
