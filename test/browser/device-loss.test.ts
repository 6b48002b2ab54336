import { EngineWedgedError, tensor, type Model } from '@edgewise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { faultCell, type FaultCell } from './fault-fixture.js';
import { MODELS, makeRuntime, reference, sample } from './fixtures.js';

/**
 * The fault matrix's device-loss row: a real GPUDevice.destroy() of the device the engine holds.
 * In a file of its own because it leaves this thread's ORT wedged (ORT 1.30 hangs on a lost device,
 * holding its WASM module) and its TF.js without a WebGPU device, for the rest of the file.
 */
let cell: FaultCell | undefined;
afterEach(async () => {
  await cell?.close();
  cell = undefined;
});

async function goodRun(model: Model, k = 3) {
  const out = await model.run({ [model.inputs[0]!.name]: tensor('float32', sample(k), [1, 16]) });
  const got = out[model.outputs[0]!.name]!.data as Float32Array;
  const want = reference(sample(k));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3);
}

describe('device lost (a real GPUDevice.destroy())', () => {
  for (const worker of [false, true]) {
    const where = worker ? 'worker' : 'main thread';
    it(`TF.js on WebGPU (${where}): classified from device.lost, falls back to CPU, the run succeeds`, async () => {
      cell = await faultCell({ engine: 'tfjs', backends: ['webgpu', 'cpu'], worker });
      await goodRun(cell.model);
      await cell.faults.destroyGpu();
      await goodRun(cell.model);
      expect(cell.model.backend).toBe('cpu');
      expect(cell.events).toEqual(['fallback webgpu→cpu']);
      // Classified as the backend's fault (straight to falling-back), not left to evidence (verifying).
      if (!worker) expect(cell.states).toEqual(['ready→falling-back', 'falling-back→ready']);
      expect(await cell.counters()).toMatchObject({ runs: 2, errors: 0, fallbacks: 1 });
      await goodRun(cell.model);
    });
  }

  it('ONNX on WebGPU (worker): the wedged engine is left behind in its worker; a fresh worker runs the same inputs on WASM', async () => {
    cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker: true });
    await goodRun(cell.model);
    await cell.faults.destroyGpu();
    await goodRun(cell.model);
    expect(cell.model.backend).toBe('wasm');
    expect(cell.workers).toHaveLength(2);
    expect(cell.events).toEqual(['fallback webgpu→wasm']);
    expect(cell.model.attempts.find((a) => a.phase === 'run' && a.outcome === 'failed')!.reason).toMatch(/device lost/i);
    expect(await cell.counters()).toMatchObject({ runs: 2, errors: 1, fallbacks: 1 });
    await goodRun(cell.model);
  });

  it('ONNX on WebGPU (main thread): EngineWedgedError that says how to recover; the model is failed, and fails fast instead of hanging', async () => {
    cell = await faultCell({ engine: 'onnx', backends: ['webgpu', 'wasm'], worker: false });
    await goodRun(cell.model);
    await cell.faults.destroyGpu();
    const error = await cell.model.run({ input: tensor('float32', sample(2), [1, 16]) }).catch((e) => e);
    expect(error).toBeInstanceOf(EngineWedgedError);
    expect(error.code).toBe('E_ENGINE_WEDGED');
    expect(error.message).toMatch(/device lost.*worker: true/i);
    expect(cell.model.state).toBe('failed');
    // No new thread can be made here: reopening keeps failing with the same cause (ORT needs a page reload or worker: true).
    await new Promise((r) => setTimeout(r, 300));
    await expect(cell.model.run({ input: tensor('float32', sample(2), [1, 16]) })).rejects.toBeInstanceOf(EngineWedgedError);
    expect(await cell.counters()).toMatchObject({ runs: 1, errors: 2, fallbacks: 0 });
    // Loading anew in this thread (another runtime, same ORT module) fails fast with the same explanation.
    await expect(makeRuntime().loadModel({ source: `${MODELS}/model.onnx`, engine: 'onnx', backends: ['wasm'] })).rejects.toThrow(/device lost.*worker: true/i);
  });
});
