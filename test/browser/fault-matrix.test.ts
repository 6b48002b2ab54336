import { AllBackendsFailedError, EngineWedgedError, InputError, WorkerCrashedError, tensor, type Model } from '@edgewise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { faultCell, type FaultCell } from './fault-fixture.js';
import { reference, sample } from './fixtures.js';

/**
 * What happens when … — each row a fault, each column where the model runs (this thread, a worker).
 * Every cell checks the backend afterwards, the events, the error's class and code, the monitor's
 * counters, and that the next good run succeeds. Device loss is in device-loss.test.ts (it leaves
 * this thread's ORT wedged for the rest of the file). The same rows run in Node with a user-written
 * engine in test/node/fault-matrix.test.ts.
 */
let cell: FaultCell | undefined;
afterEach(async () => {
  await cell?.close();
  cell = undefined;
});

const inputOf = (model: Model, k: number, batch = 1) => ({ [model.inputs[0]!.name]: tensor('float32', batch ? sample(k) : new Float32Array(0), [batch, 16]) });
async function goodRun(model: Model, k = 7) {
  const out = await model.run(inputOf(model, k));
  const got = out[model.outputs[0]!.name]!.data as Float32Array;
  const want = reference(sample(k));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const worker of [false, true]) {
  const where = worker ? 'worker' : 'main thread';
  describe(`fault matrix — ${where}`, () => {
    it(`bad input that fails on every backend (TF.js empty batch): InputError, stays on its backend (${where})`, async () => {
      cell = await faultCell({ engine: 'tfjs', backends: ['webgl', 'cpu'], worker });
      const error = await cell.model.run(inputOf(cell.model, 0, 0)).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.code).toBe('E_INPUT');
      expect(error.message).toMatch(/webgl and cpu alike/);
      expect(cell.model.backend).toBe('webgl');
      expect(cell.events).toEqual([]);
      expect(await cell.counters()).toMatchObject({ runs: 0, rejected: 1, errors: 0, fallbacks: 0 });
      await goodRun(cell.model);
      expect(cell.model.backend).toBe('webgl');
    });

    it(`bad input ORT names (validation off, wrong shape): InputError at once, no second backend tried (${where})`, async () => {
      cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker, validation: false });
      const error = await cell.model.run({ input: tensor('float32', new Float32Array(15), [1, 15]) }).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'E_INPUT', input: 'input' });
      expect(error.message).toMatch(/invalid dimensions/i);
      expect(cell.model.backend).toBe('webgpu');
      expect(await cell.faults.sessions()).toEqual({ created: 1, disposed: 0 });
      expect(await cell.counters()).toMatchObject({ rejected: 1, errors: 0, fallbacks: 0 });
      await goodRun(cell.model);
    });

    for (const kind of ['kernel-unsupported', 'out-of-memory'] as const) {
      it(`${kind} on one backend: the run moves to the next and succeeds; one fallback (${where})`, async () => {
        cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker });
        await cell.faults.inject({ kind, backend: 'webgpu', times: Infinity });
        await goodRun(cell.model);
        expect(cell.model.backend).toBe('wasm');
        expect(cell.model.state).toBe('ready');
        expect(cell.events).toEqual(['fallback webgpu→wasm']);
        expect(await cell.counters()).toMatchObject({ runs: 1, errors: 0, fallbacks: 1 });
        expect(await cell.faults.sessions()).toEqual({ created: 2, disposed: 1 });
        expect(cell.model.attempts.filter((a) => a.phase === 'run').map((a) => `${a.backend}:${a.outcome}`)).toEqual(['webgpu:failed', 'wasm:selected']);
        await goodRun(cell.model);
      });
    }

    it(`engine wedged (${where}): ${worker ? 'relocated to a fresh worker on the next backend, the run retried' : 'EngineWedgedError, failed, reopens after the backoff'}`, async () => {
      cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker });
      await goodRun(cell.model);
      await cell.faults.inject({ kind: 'engine-wedged' });
      if (worker) {
        await goodRun(cell.model);
        expect(cell.workers).toHaveLength(2);
        expect(cell.model.backend).toBe('wasm');
        expect(cell.events).toEqual(['fallback webgpu→wasm']);
        // The wedged worker's monitor came along: its runs, and the run that failed there.
        expect(await cell.counters()).toMatchObject({ runs: 2, errors: 1, fallbacks: 1 });
      } else {
        const error = await cell.model.run(inputOf(cell.model, 1)).catch((e) => e);
        expect(error).toBeInstanceOf(EngineWedgedError);
        expect(error.code).toBe('E_ENGINE_WEDGED');
        expect(cell.model.state).toBe('failed');
        await sleep(200);
        await goodRun(cell.model);
        expect(cell.model.state).toBe('ready');
        expect(await cell.counters()).toMatchObject({ runs: 2, errors: 1, fallbacks: 0 });
      }
      await goodRun(cell.model);
    });

    it(`hung run, engine still answering (${where}): ${worker ? 'the worker gives up on it, the model moves to a fresh worker and the same run succeeds' : 'EngineWedgedError after runTimeoutMs, then reopens'}`, async () => {
      cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker });
      await goodRun(cell.model); // warm: later runs get the short deadline
      await cell.faults.inject({ kind: 'hang' });
      const started = performance.now();
      if (worker) {
        await goodRun(cell.model);
        expect(cell.model.backend).toBe('wasm');
        expect(cell.workers).toHaveLength(2);
        expect(cell.events).toEqual(['fallback webgpu→wasm']);
        expect(cell.model.attempts.find((a) => a.phase === 'run' && a.outcome === 'failed')!.reason).toMatch(/did not finish within 1500 ms/);
      } else {
        const error = await cell.model.run(inputOf(cell.model, 1)).catch((e) => e);
        expect(error).toBeInstanceOf(EngineWedgedError);
        expect(error.message).toMatch(/did not finish within 1500 ms/);
        await sleep(200);
        await goodRun(cell.model);
      }
      // Bounded by the short deadline, not the 60 s default (the rest is reloading a fresh worker).
      expect(performance.now() - started).toBeLessThan(30_000);
    });

    it(`reopen fails, then recovers when a backend works again (${where})`, async () => {
      cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker });
      await cell.faults.inject({ kind: 'device-lost', backend: 'webgpu' });
      await cell.faults.inject({ kind: 'backend-unavailable', on: 'create', backend: 'wasm', times: Infinity });
      const error = await cell.model.run(inputOf(cell.model, 1)).catch((e) => e);
      expect(error).toBeInstanceOf(AllBackendsFailedError);
      expect(error.attempts.map((a: { backend: string; outcome: string }) => `${a.backend}:${a.outcome}`)).toEqual(['webgpu:failed', 'wasm:failed']);
      expect(cell.model.state).toBe('failed');
      // Not E_DISPOSED, not a hang: the same error at once.
      await expect(cell.model.run(inputOf(cell.model, 2))).rejects.toBeInstanceOf(AllBackendsFailedError);
      await cell.faults.clear();
      await sleep(400);
      await goodRun(cell.model);
      expect(cell.model.state).toBe('ready');
      expect(cell.model.backend).toBe('webgpu');
      expect(await cell.counters()).toMatchObject({ runs: 1, errors: 2 });
      expect(await cell.faults.sessions()).toMatchObject({ created: 2, disposed: 1 });
    });

    it(`dispose during a run: the run in flight and the queued one finish, later ones reject E_DISPOSED (${where})`, async () => {
      cell = await faultCell({ engine: 'onnx', backends: ['wasm'], worker });
      await cell.faults.inject({ kind: 'slow', ms: 300 });
      const inFlight = cell.model.run(inputOf(cell.model, 1));
      const queued = cell.model.run(inputOf(cell.model, 2));
      const disposed = cell.model.dispose();
      const later = cell.model.run(inputOf(cell.model, 3)).catch((e) => e);
      await expect(inFlight).resolves.toBeDefined();
      await expect(queued).resolves.toBeDefined();
      await disposed;
      expect(await later).toMatchObject({ code: 'E_DISPOSED' });
      expect(cell.model.state).toBe('disposed');
      expect(await cell.faults.sessions()).toEqual({ created: 1, disposed: 1 });
    });
  });
}

describe('fault matrix — worker only', () => {
  it('worker terminated from outside mid-run: the call fails at once with WorkerCrashedError; a fresh worker serves the next run', async () => {
    cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker: true });
    await cell.faults.inject({ kind: 'slow', ms: 5000 });
    const pending = cell.model.run(inputOf(cell.model, 1)).catch((e) => e);
    await sleep(200);
    const killedAt = performance.now();
    cell.workers[0]!.terminate();
    const error = await pending;
    expect(performance.now() - killedAt).toBeLessThan(500);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ code: 'E_WORKER_CRASHED', hung: false });
    expect(error.message).toMatch(/terminated by other code/);
    await goodRun(cell.model);
    expect(cell.workers).toHaveLength(2);
    expect(cell.model.backend).toBe('webgpu');
    expect(cell.model.state).toBe('ready');
    expect(await cell.counters()).toMatchObject({ runs: 1, errors: 1, fallbacks: 0 });
  });

  it('worker dies silently while idle (self.close(), no error event): the heartbeat notices, the next run works', async () => {
    cell = await faultCell({ engine: 'onnx', backends: ['wasm'], worker: true });
    await goodRun(cell.model);
    await cell.remote.closeSilently();
    await sleep(3000); // > 8 missed heartbeats of 250 ms
    // Had the death gone unnoticed, this run would have gone to the dead worker and failed as hung
    // at its deadline; noticed, the model reloads into a fresh worker and the run succeeds.
    await goodRun(cell.model);
    expect(cell.workers).toHaveLength(2);
    expect(await cell.counters()).toMatchObject({ errors: 0 });
  });

  it('worker blocked (a synchronous call that never returns): its calls fail as hung within the deadline; a fresh worker serves the next run', async () => {
    cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker: true });
    await goodRun(cell.model);
    await cell.faults.inject({ kind: 'block' });
    const started = performance.now();
    const error = await cell.model.run(inputOf(cell.model, 1)).catch((e) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.hung).toBe(true);
    expect(waited).toBeGreaterThan(1500);
    expect(waited).toBeLessThan(8000);
    await goodRun(cell.model);
    expect(cell.model.backend).toBe('webgpu');
    expect(cell.workers).toHaveLength(2);
    expect(await cell.counters()).toMatchObject({ runs: 1, errors: 1 });
  });
});
