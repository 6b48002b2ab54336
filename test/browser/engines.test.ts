import { tensor, type BackendName } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { MODELS, makeRuntime, reference, sample } from './fixtures.js';

/**
 * The contract every engine × backend × thread combination must meet: it loads on exactly the
 * backend asked for and answers what the plain-JS forward pass answers.
 */
const cases: Array<{ engine: 'onnx' | 'tfjs'; source: string; backends: BackendName[] }> = [
  { engine: 'onnx', source: `${MODELS}/model.onnx`, backends: ['wasm', 'webgl', 'webgpu'] },
  { engine: 'tfjs', source: `${MODELS}/tfjs/model.json`, backends: ['wasm', 'webgl', 'webgpu', 'cpu'] },
];

const runtime = makeRuntime();

describe('engines in real Chromium', () => {
  it('page is cross-origin isolated (needed for threaded WASM)', () => {
    expect(crossOriginIsolated).toBe(true);
  });

  for (const { engine, source, backends } of cases) {
    for (const backend of backends) {
      for (const worker of [false, true]) {
        it(`${engine} on ${backend}${worker ? ' in a worker' : ' on the main thread'}`, async () => {
          const model = await runtime.loadModel({ source, engine, backends: [backend], worker });
          expect(model.backend).toBe(backend);
          const inputName = model.inputs[0]!.name;
          const outputName = model.outputs[0]!.name;
          for (const k of [0, 1, 2]) {
            const x = sample(k);
            const want = reference(x);
            const out = await model.run({ [inputName]: tensor('float32', x.slice(), [1, 16]) });
            const got = out[outputName]!;
            expect(got.dims).toEqual([1, 4]);
            // GPU backends may compute in reduced precision; 1e-3 still catches wrong weights or ops.
            for (let i = 0; i < 4; i++) expect(Math.abs((got.data[i] as number) - want[i]!)).toBeLessThan(1e-3);
          }
          await model.dispose();
        });
      }
    }
  }
});
