import { ModelFormatError, tensor, type BackendName, type Engine, type ModelArtifact } from '@edgewise/core';
import { denseNetworkForward } from '@edgewise/model-tools/dense-network';
import { describe, expect, it } from 'vitest';
import { tinyMlp } from '../../models/scripts/tiny-mlp.js';

export interface EngineContractCase {
  make: () => Engine;
  backend: BackendName;
  /** The tiny MLP (16 → 32 → 4, softmax) in this engine's format. */
  artifact: () => Promise<ModelArtifact>;
  /** A file this engine must reject as not its format. */
  notAModel: ModelArtifact;
}

const net = tinyMlp();
const sample = (k: number) => Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7 + k) * 0.9);

/**
 * One suite every Engine adapter must pass: the web ONNX engine, the TF.js engine, and the React
 * Native ONNX adapter all run it (test/node/adapters-contract.test.ts).
 */
export function engineContract(name: string, c: EngineContractCase) {
  describe(`Engine contract: ${name}`, () => {
    it('creates a session on the backend it was asked for, describing inputs and outputs', async () => {
      const engine = c.make();
      expect(engine.backends).toContain(c.backend);
      const session = await engine.createSession(await c.artifact(), c.backend, {});
      expect(session.backend).toBe(c.backend);
      expect(session.inputs).toHaveLength(1);
      expect(session.inputs[0]!.type).toBe('float32');
      expect(session.outputs.length).toBeGreaterThanOrEqual(1);
      await session.dispose();
    });

    it('computes what a plain forward pass computes, call after call', async () => {
      const session = await c.make().createSession(await c.artifact(), c.backend, {});
      for (let k = 0; k < 5; k++) {
        const x = sample(k);
        const out = await session.run({ [session.inputs[0]!.name]: tensor('float32', x, [1, 16]) });
        const y = out[session.outputs[0]!.name]!;
        expect(y.type).toBe('float32');
        expect(y.dims).toEqual([1, 4]);
        const want = denseNetworkForward(net, x);
        for (let i = 0; i < 4; i++) expect(Math.abs((y.data as Float32Array)[i]! - want[i]!)).toBeLessThan(1e-4);
      }
      await session.dispose();
    });

    it('keeps two sessions independent, and leaves callers\' input buffers intact', async () => {
      const engine = c.make();
      const [a, b] = await Promise.all([engine.createSession(await c.artifact(), c.backend, {}), engine.createSession(await c.artifact(), c.backend, {})]);
      const x = sample(9);
      const copy = x.slice();
      await a.dispose();
      const out = await b.run({ [b.inputs[0]!.name]: tensor('float32', x, [1, 16]) });
      expect(Array.from(x)).toEqual(Array.from(copy));
      expect((out[b.outputs[0]!.name]!.data as Float32Array).length).toBe(4);
      await b.dispose();
    });

    it('rejects a file that is not its format with a ModelFormatError naming the file', async () => {
      const error = await c
        .make()
        .createSession(c.notAModel, c.backend, {})
        .catch((e) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain(c.notAModel.entry);
    });
  });
}
