import { tensor } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { MODELS, makeRuntime, reference, sample } from './fixtures.js';

/**
 * `select: 'fastest'` on real engines and real (software) GPUs. Which backend wins depends on the
 * hardware, so the test checks the rule, not a name: the selected backend has the lowest measured
 * time, every other working backend is recorded as slower with its own time, and answers are right.
 * Those times are the selector's own; that it picks the truly fastest backend, measured against
 * known per-run times, is checked in packages/core/src/fastest-backend.test.ts.
 */
describe("select: 'fastest' in real Chromium", () => {
  for (const worker of [false, true]) {
    for (const engine of ['onnx', 'tfjs'] as const) {
      it(`${engine} ${worker ? 'in a worker' : 'on the main thread'}: keeps the backend it measured fastest`, async () => {
        const source = engine === 'onnx' ? `${MODELS}/model.onnx` : `${MODELS}/tfjs/model.json`;
        const model = await makeRuntime().loadModel({
          source,
          engine,
          backends: ['webgpu', 'webgl', 'wasm'],
          worker,
          select: 'fastest',
          probeRuns: 3,
        });
        const timed = model.attempts.filter((a) => a.probeMs !== undefined);
        expect(timed.length).toBeGreaterThanOrEqual(2);
        const selected = model.attempts.find((a) => a.outcome === 'selected')!;
        expect(selected.backend).toBe(model.backend);
        for (const a of timed) expect(selected.probeMs!).toBeLessThanOrEqual(a.probeMs!);
        for (const a of timed.filter((t) => t !== selected)) expect(a.outcome).toBe('slower');
        const x = sample(5);
        const out = await model.run({ [model.inputs[0]!.name]: tensor('float32', x.slice(), [1, 16]) });
        const want = reference(x);
        const got = out[model.outputs[0]!.name]!.data as Float32Array;
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3);
        await model.dispose();
      }, 120_000);
    }
  }
});
