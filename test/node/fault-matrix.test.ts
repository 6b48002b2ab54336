import { AllBackendsFailedError, EngineWedgedError, InputError, createRuntime, type Model } from '@edgewise/core';
import { withFaults, type FaultyEngine } from '@edgewise/core/testing';
import { createModelMonitor } from '@edgewise/drift';
import { afterEach, describe, expect, it } from 'vitest';
import { doublingEngine, emptyBatch, x } from '../support/doubling-engine.js';

/**
 * The fault matrix, in-thread, through the public extension point: a user-written engine in
 * createRuntime({ engines }), wrapped by the test-only fault injector. The same rows run in real
 * Chromium with the real engines in test/browser/fault-matrix.test.ts.
 */
let engine: FaultyEngine;
let model: Model;
let events: Array<{ type: string; [k: string]: unknown }>;

async function load(recovery = { runTimeoutMs: 300, retryBaseMs: 80, retryMaxMs: 1000 }) {
  engine = withFaults(doublingEngine());
  model = await createRuntime({ engines: [engine], monitoring: createModelMonitor }).loadModel({ source: new Uint8Array([1]), engine: 'doubling', recovery });
  events = [];
  model.on('fallback', (e) => events.push({ type: 'fallback', ...e }));
  model.on('state', (e) => events.push({ type: 'state', from: e.from, to: e.to }));
  return model;
}
const counters = async () => (await model.health()).counters;
const goodRunWorks = async () => expect(Array.from((await model.run(x(21))).y!.data as Float32Array)).toEqual([42]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await model?.dispose();
  // Every session the model ever opened (probes and candidates too) is released.
  expect(engine.faults.sessions.disposed).toBe(engine.faults.sessions.created);
});

describe('fault matrix in Node, with a user-written engine', () => {
  it('bad input that fails on every backend: InputError, and the model stays where it was', async () => {
    await load();
    const error = await model.run(emptyBatch()).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(/webgpu and webgl alike.*empty batch/);
    expect(model.backend).toBe('webgpu');
    expect(model.state).toBe('ready');
    expect(events.filter((e) => e.type === 'fallback')).toEqual([]);
    expect(await counters()).toMatchObject({ runs: 0, rejected: 1, errors: 0, fallbacks: 0 });
    // Three bad inputs in a row still leave it on the first backend.
    for (let i = 0; i < 3; i++) await expect(model.run(emptyBatch())).rejects.toBeInstanceOf(InputError);
    expect(model.backend).toBe('webgpu');
    await goodRunWorks();
  });

  for (const kind of ['kernel-unsupported', 'device-lost', 'out-of-memory', 'unknown'] as const) {
    it(`${kind} on one backend: moves to the next, retries the run once, says so once`, async () => {
      await load();
      engine.faults.inject({ kind, backend: 'webgpu', times: Infinity });
      await goodRunWorks();
      expect(model.backend).toBe('webgl');
      expect(model.state).toBe('ready');
      const fallbacks = events.filter((e) => e.type === 'fallback');
      expect(fallbacks).toEqual([{ type: 'fallback', from: 'webgpu', to: 'webgl', reason: expect.stringContaining(kind) }]);
      expect(await counters()).toMatchObject({ runs: 1, errors: 0, rejected: 0, fallbacks: 1 });
      expect(model.attempts.filter((a) => a.phase === 'run').map((a) => `${a.backend}:${a.outcome}`)).toEqual(['webgpu:failed', 'webgl:selected']);
      await goodRunWorks();
      expect(await counters()).toMatchObject({ runs: 2, fallbacks: 1 });
    });
  }

  it('engine wedged: EngineWedgedError, failed, and it reopens once the engine can open again', async () => {
    await load();
    engine.faults.inject({ kind: 'engine-wedged' });
    const error = await model.run(x(1)).catch((e) => e);
    expect(error).toBeInstanceOf(EngineWedgedError);
    expect(error.code).toBe('E_ENGINE_WEDGED');
    expect(model.state).toBe('failed');
    // Before the backoff: the same error at once, no engine work.
    const created = engine.faults.sessions.created;
    await expect(model.run(x(1))).rejects.toBe(error);
    expect(engine.faults.sessions.created).toBe(created);
    await sleep(100);
    await goodRunWorks();
    expect(model.state).toBe('ready');
    expect(events.filter((e) => e.type === 'state').map((e) => `${e.from}→${e.to}`)).toEqual(['ready→failed', 'failed→opening', 'opening→ready']);
    expect(await counters()).toMatchObject({ runs: 1, errors: 2, fallbacks: 0 });
  });

  it('hung run: fails after runTimeoutMs with EngineWedgedError instead of holding the queue forever', async () => {
    await load();
    await goodRunWorks(); // warm: a session's first run gets the (longer) firstRunTimeoutMs
    engine.faults.inject({ kind: 'hang' });
    const started = performance.now();
    const queued = model.run(x(2)); // queued behind the hung run
    const error = await model.run(x(1)).catch((e) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(EngineWedgedError);
    expect(error.message).toMatch(/did not finish within 300 ms/);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(2000);
    await expect(queued).rejects.toBeInstanceOf(EngineWedgedError); // still inside the backoff
    await sleep(100);
    await goodRunWorks();
  });

  it('reopen fails, the model is failed with every cause, and recovers when a backend works again', async () => {
    await load();
    engine.faults.inject({ kind: 'device-lost', backend: 'webgpu' });
    engine.faults.inject({ kind: 'backend-unavailable', on: 'create', backend: 'webgl', times: Infinity });
    engine.faults.inject({ kind: 'backend-unavailable', on: 'create', backend: 'wasm', times: Infinity });
    const error = await model.run(x(1)).catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.attempts.map((a: { backend: string; phase: string }) => `${a.backend}:${a.phase}`)).toEqual(['webgpu:run', 'webgl:run', 'wasm:run']);
    expect(model.state).toBe('failed');
    await expect(model.run(x(1))).rejects.toBeInstanceOf(AllBackendsFailedError); // not E_DISPOSED
    // Still failing after the first backoff (webgpu reopens here: its fault fired once): recovers.
    engine.faults.clear();
    engine.faults.inject({ kind: 'backend-unavailable', on: 'create', backend: 'webgpu', times: 1 });
    await sleep(100);
    await goodRunWorks();
    expect(model.backend).toBe('webgl');
    expect(model.state).toBe('ready');
    expect(events.filter((e) => e.type === 'fallback')).toEqual([{ type: 'fallback', from: 'webgpu', to: 'webgl', reason: expect.stringMatching(/recovered after/) }]);
    expect(await counters()).toMatchObject({ runs: 1, errors: 2, fallbacks: 1 });
  });

  it('dispose during a run: the run in flight and those queued finish; later ones reject E_DISPOSED', async () => {
    await load();
    engine.faults.inject({ kind: 'slow', ms: 100 });
    const inFlight = model.run(x(1));
    const queued = model.run(x(2));
    const disposed = model.dispose();
    const after = model.run(x(3)).catch((e) => e);
    expect(Array.from((await inFlight).y!.data as Float32Array)).toEqual([2]);
    expect(Array.from((await queued).y!.data as Float32Array)).toEqual([4]);
    await disposed;
    expect(await after).toMatchObject({ code: 'E_DISPOSED' });
    expect(model.state).toBe('disposed');
    expect(engine.faults.sessions.disposed).toBe(engine.faults.sessions.created);
  });

  it("select: 'fastest' releases every probed session, also when a probe wedges the engine", async () => {
    engine = withFaults(doublingEngine());
    const runtime = createRuntime({ engines: [engine] });
    engine.faults.inject({ kind: 'engine-wedged', backend: 'webgl' });
    await expect(runtime.loadModel({ source: new Uint8Array([1]), engine: 'doubling', select: 'fastest', probe: x(1) })).rejects.toBeInstanceOf(EngineWedgedError);
    expect(engine.faults.sessions).toEqual({ created: 2, disposed: 2 });
    model = await runtime.loadModel({ source: new Uint8Array([1]), engine: 'doubling', select: 'fastest', probe: x(1) });
    expect(engine.faults.sessions.created - engine.faults.sessions.disposed).toBe(1);
  });
});
