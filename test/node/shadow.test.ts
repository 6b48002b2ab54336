import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCollector } from '@edgewise/collector';
import { MemoryOutbox, createUplink } from '@edgewise/uplink';
import { tensor, type Engine, type Model, type NamedTensors } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';

const dir = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
const { test } = loadMnist();
const digit = (i: number) => ({ input: tensor('float32', test.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), [1, MNIST_PIXELS]) });

/** Polls health() until the shadow has accounted for `n` sampled runs (compared, failed or dropped). */
async function shadowSettled(model: Model, n: number) {
  for (let i = 0; i < 600; i++) {
    const s = (await model.health()).shadow;
    if (s && s.runs + s.errors + s.dropped >= n) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`shadow did not settle on ${n} runs: ${JSON.stringify((await model.health()).shadow)}`);
}

/** A candidate engine whose runs wait until released: shows what run() does and does not wait for. */
function gatedEngine(fail = false) {
  const gate = { started: 0, release: () => {}, released: Promise.resolve() };
  gate.released = new Promise<void>((r) => (gate.release = r));
  const engine: Engine = {
    name: 'gated',
    backends: ['wasm'],
    companionFiles: () => [],
    async createSession() {
      return {
        backend: 'wasm' as const,
        inputs: [{ name: 'input', type: 'float32' as const, dims: [1, MNIST_PIXELS] }],
        outputs: [{ name: 'output', type: 'float32' as const, dims: [1, 10] }],
        async run(inputs: NamedTensors) {
          gate.started++;
          await gate.released;
          if (fail) throw new Error('candidate broke');
          const scores = new Float32Array(10);
          scores[Number(inputs.input!.data[0]) > 0.5 ? 1 : 0] = 1;
          return { output: tensor('float32', scores, [1, 10]) };
        },
        async dispose() {},
      };
    },
  };
  return { engine, gate };
}

describe('shadow evaluation on the device (loadModel shadow), real MNIST through @edgewise/node', () => {
  it('int8 active with fp32 shadow agrees on ≥ 99 % of 300 real digits; counts land in health, aggregates and windows', async () => {
    const n = 300;
    const model = await createNodeRuntime().loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: {}, shadow: { source: `${dir}model.onnx`, sample: 1, maxPending: n } });
    const step = Math.floor(test.count / n);
    for (let i = 0; i < n; i++) await model.run(digit(i * step));
    const s = await shadowSettled(model, n);
    console.log(`[shadow] int8 vs fp32 over ${n} digits: agreement ${s.agreement}, mean |Δ| ${s.meanAbsDiff.toExponential(2)}, latency ratio ${s.latencyRatio.toFixed(2)}`);
    expect(s).toMatchObject({ runs: n, items: n, errors: 0, dropped: 0 });
    expect(s.agreement).toBeGreaterThanOrEqual(0.99);
    expect(s.meanAbsDiff).toBeGreaterThan(0); // int8 and fp32 really differ, a little
    expect(s.meanAbsDiff).toBeLessThan(0.05);
    expect(s.latencyRatio).toBeGreaterThan(0);
    expect(s.window).toMatchObject({ runs: n, agreed: s.agreed });
    const body = (await model.aggregates()).body;
    expect(body.shadow!.counters).toEqual({ runs: n, items: n, agreed: s.agreed, errors: 0, dropped: 0 });
    expect(body.shadow!.absDiff.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(body.shadow!.candidateLatencyMs.counts.reduce((a, b) => a + b, 0)).toBe(n);
    // Uploaded like every other count, and read back per window and version from the collector over
    // HTTP. Privacy off on both sides here, for exact counts; the privacy-on path is tested below.
    const collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `shadow-${randomUUID()}`, ingestKey: 'si', readKey: 'sr' }], k: 1, ratePerMinute: 100_000, privacy: false, now: () => Date.now() + 2 * 3_600_000 });
    try {
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: 'si', source: model, model: 'mnist', modelVersion: 'int8', outbox: new MemoryOutbox(), privacy: false });
      await uplink.collect();
      expect(await uplink.flush()).toMatchObject({ sent: 1, pending: 0 });
      const r = await fetch(`${collector.url}/v1/shadow?model=mnist&version=int8`, { headers: { authorization: 'Bearer sr' } });
      expect(r.status).toBe(200);
      const { windows } = (await r.json()) as { windows: Array<{ runs: number; items: number; agreed: number; agreement: number; errors: number; absDiff: Array<{ runs: number }>; latencyRatio: number | null }> };
      expect(windows).toHaveLength(1);
      expect(windows[0]).toMatchObject({ runs: n, items: n, agreed: s.agreed, errors: 0 });
      expect(windows[0]!.agreement).toBeGreaterThanOrEqual(0.99);
      expect(windows[0]!.absDiff.reduce((a, b) => a + b.runs, 0)).toBe(n);
      expect(windows[0]!.latencyRatio).toBeGreaterThan(0);
      // The fleet series (closed windows only: the collector's clock runs 2 h ahead here) carries
      // agreement per window for the dashboard's "other" charts.
      const fleet = (await (await fetch(`${collector.url}/v1/series?model=mnist&version=int8`, { headers: { authorization: 'Bearer sr' } })).json()) as { windows: Array<{ other: Record<string, number> }> };
      expect(fleet.windows[0]!.other['shadow-agreement']).toBe(s.agreed / n);
      expect(fleet.windows[0]!.other['shadow-errors']).toBe(0);
      // Taken once: the open window's part already handed over is not sent again.
      expect(await model.takeWindows({ includeOpen: true })).toEqual([]);
    } finally {
      await collector.close();
      await model.dispose();
    }
  }, 120_000);

  it('with privacy on (device and collector defaults), the shadow section is bounded per group on the device and accepted', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: {}, shadow: { source: `${dir}model.onnx`, sample: 1, maxPending: 40 } });
    for (let i = 0; i < 40; i++) await model.run(digit(i * 50));
    await shadowSettled(model, 40);
    const collector = await startCollector({ port: 0, dataDir: undefined, apps: [{ app: `shadow-${randomUUID()}`, ingestKey: 'pi', readKey: 'pr' }], k: 1, ratePerMinute: 100_000 });
    try {
      const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: 'pi', source: model, model: 'mnist', modelVersion: 'int8', outbox: new MemoryOutbox() });
      const report = (await uplink.collect())!;
      const c = report.shadow!.counters;
      // 40 runs, 40 items, ~40 agreed: the group (L1 120) is scaled to the contribution bound (20).
      expect(c.runs + c.items + c.agreed + c.errors + c.dropped).toBeLessThanOrEqual(20);
      expect(c.agreed).toBeGreaterThan(0);
      expect(report.shadow!.absDiff.counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20);
      expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    } finally {
      await collector.close();
      await model.dispose();
    }
  }, 60_000);

  it('sample 0.25 shadows about a quarter of runs', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: {}, shadow: { source: `${dir}model.onnx`, sample: 0.25, maxPending: 400 } });
    for (let i = 0; i < 400; i++) await model.run(digit(i));
    await new Promise((r) => setTimeout(r, 200));
    const s = (await model.health()).shadow!;
    await model.dispose();
    // Binomial(400, 0.25): mean 100, sd 8.7; ± 5 sd.
    expect(s.runs).toBeGreaterThan(56);
    expect(s.runs).toBeLessThan(144);
  }, 120_000);

  it('run() resolves before the shadow run starts and never waits for it (a candidate blocked until released)', async () => {
    const { engine, gate } = gatedEngine();
    const runtime = createNodeRuntime();
    runtime.registerEngine(engine);
    const model = await runtime.loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: {}, shadow: { source: new Uint8Array([0]), engine: 'gated', sample: 1 } });
    const first = await model.run(digit(0));
    expect(first.output ?? Object.values(first)[0]).toBeDefined();
    expect(gate.started).toBe(0); // the caller has its result before the candidate is even asked
    await new Promise((r) => setTimeout(r, 10));
    expect(gate.started).toBe(1); // … and the candidate is now running, blocked
    // Further runs resolve while the candidate is stuck.
    for (let i = 1; i < 3; i++) await model.run(digit(i));
    expect((await model.health()).shadow).toBeUndefined();
    gate.release();
    const s = await shadowSettled(model, 3);
    expect(s).toMatchObject({ runs: 3, errors: 0 });
    await model.dispose();
  }, 60_000);

  it('a failing candidate counts errors and never fails the active run; beyond maxPending sampled runs are dropped', async () => {
    const { engine, gate } = gatedEngine(true);
    const runtime = createNodeRuntime();
    runtime.registerEngine(engine);
    const model = await runtime.loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', monitor: {}, shadow: { source: new Uint8Array([0]), engine: 'gated', sample: 1, maxPending: 2 } });
    for (let i = 0; i < 5; i++) await model.run(digit(i));
    gate.release();
    const s = await shadowSettled(model, 5);
    expect(s).toMatchObject({ runs: 0, errors: 2, dropped: 3 });
    expect((await model.health()).counters).toMatchObject({ runs: 5, errors: 0 });
    expect((await model.aggregates()).body.shadow!.counters).toMatchObject({ runs: 0, errors: 2, dropped: 3 });
    await model.dispose();
  }, 60_000);

  it('rejects bad shadow options naming the field', async () => {
    const runtime = createNodeRuntime();
    await expect(runtime.loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', shadow: { source: `${dir}model.onnx`, sample: 2 } })).rejects.toThrow(/shadow\.sample.*\[0, 1\].*2/);
    await expect(runtime.loadModel({ source: `${dir}model-int8.onnx`, engine: 'onnx', shadow: { sample: 1 } })).rejects.toThrow(/exactly one of "source" and "manifest"/);
  });
});
