import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendError, InputError, ModelFormatError, tensor } from '@edgewise/core';
import { classifyOrtError } from '@edgewise/engine-onnx';
import { classifyTfjsError } from '@edgewise/engine-tfjs';
import { createNodeRuntime } from '@edgewise/node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Each engine's classifier against the errors its library really throws (provoked here, not
 * copied): what decides whether a failure is the caller's input, the model, or the backend.
 */
const dir = fileURLToPath(new URL('../../models/generated/tiny-mlp/', import.meta.url));
const thrown = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
};

describe('onnxruntime-web errors, classified', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(readFileSync(`${dir}model.onnx`));
  });
  const feed = (data: ArrayLike<number>, dims: number[], type: 'float32' | 'int32' = 'float32') =>
    new ort.Tensor(type, type === 'int32' ? Int32Array.from(data) : Float32Array.from(data), dims);

  const inputCases: Array<[string, () => Promise<unknown>]> = [
    ['a wrong inner dimension', () => session.run({ input: feed(new Float32Array(15), [1, 15]) })],
    ['an empty batch on a fixed-batch model', () => session.run({ input: feed([], [0, 16]) })],
    ['a wrong dtype', () => session.run({ input: feed(new Int32Array(16), [1, 16], 'int32') })],
    ['a wrong rank', () => session.run({ input: feed(new Float32Array(16), [16]) })],
    ['a missing feed', () => session.run({})],
    ['an unknown feed', () => session.run({ input: feed(new Float32Array(16), [1, 16]), nope: feed([1], [1]) })],
  ];
  for (const [what, provoke] of inputCases) {
    it(`${what} is the caller's input`, async () => {
      expect(classifyOrtError(await thrown(provoke), 'run', 'wasm')).toBe('input');
    });
  }

  it('bytes that are not a model are the model, not the backend', async () => {
    const error = await thrown(() => ort.InferenceSession.create(new Uint8Array([8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])));
    expect(classifyOrtError(error, 'create', 'wasm')).toBe('model-format');
  });

  it('a run on a thread whose ORT is still busy is a wedged engine', () => {
    // ORT's own text when a hung run still holds the module (seen after a lost WebGPU device).
    expect(classifyOrtError(new Error('Session already started'), 'run', 'wasm')).toBe('engine-busy');
  });

  it('anything else at run time is unknown, never assumed to be the backend', () => {
    expect(classifyOrtError(new Error('something ORT says for the first time'), 'run', 'webgpu')).toBe('unknown');
  });

  it('through the engine: input errors become InputError naming the input, and the model stays', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', validation: false });
    const error = await thrown(() => model.run({ input: tensor('float32', new Float32Array(15), [1, 15]) }));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'E_INPUT', input: 'input' });
    expect(model.backend).toBe('wasm');
    expect((await model.health()).counters).toMatchObject({ rejected: 1, errors: 0 });
    await model.dispose();
  });

  it('through the engine: a non-model is ModelFormatError, on every backend at once', async () => {
    const error = await thrown(() => createNodeRuntime().loadModel({ source: new TextEncoder().encode('<html>captive portal</html>'), engine: 'onnx' }));
    expect(error).toBeInstanceOf(ModelFormatError);
  });
});

describe('TF.js errors, classified', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("a kernel the backend lacks is 'kernel-unsupported'", async () => {
    const error = await thrown(() => tf.engine().runKernel('NoSuchOpForEdgewise', { x: tf.ones([2]) }, {}));
    expect(classifyTfjsError(error, 'cpu')).toBe('kernel-unsupported');
  });

  it("a tensor too large to allocate is 'out-of-memory'", async () => {
    const error = await thrown(() => tf.zeros([2 ** 30, 8]).dataSync());
    expect(classifyTfjsError(error, 'cpu')).toBe('out-of-memory');
  });

  it('feeds that do not match the signature are the input, through the engine too', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}tfjs/model.json`, engine: 'tfjs', backends: ['cpu'], validation: false });
    const name = model.inputs[0]!.name;
    for (const inputs of [{ [name]: tensor('float32', new Float32Array(15), [1, 15]) }, { [name]: tensor('float32', new Float32Array(16), [16]) }, {}]) {
      const error = await thrown(() => model.run(inputs));
      expect(error).toBeInstanceOf(InputError);
      expect(model.backend).toBe('cpu');
    }
    await model.dispose();
  });

  it('an empty batch fails in a way TF.js does not name: unknown, left to evidence', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}tfjs/model.json`, engine: 'tfjs', backends: ['cpu'] });
    const error = (await thrown(() => model.run({ [model.inputs[0]!.name]: tensor('float32', [], [0, 16]) }))) as BackendError;
    // Only one backend here: nothing to compare with, so the error is the backend's, unclassified.
    expect(error).toBeInstanceOf(BackendError);
    expect(error.failure).toBe('unknown');
    expect(classifyTfjsError(error.cause, 'cpu')).toBe('unknown');
    await model.dispose();
  });

  it('with two backends, the same empty batch is convicted as the input by evidence, and the model stays', async () => {
    const model = await createNodeRuntime().loadModel({ source: `${dir}tfjs/model.json`, engine: 'tfjs', backends: ['wasm', 'cpu'] });
    const error = await thrown(() => model.run({ [model.inputs[0]!.name]: tensor('float32', [], [0, 16]) }));
    expect(error).toBeInstanceOf(InputError);
    expect(model.backend).toBe('wasm');
    expect((await model.health()).counters).toMatchObject({ rejected: 1, errors: 0, fallbacks: 0 });
    await model.dispose();
  });
});
