import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { tensor, type TensorSpec } from './tensor.js';
import { validateInputs } from './validate-inputs.js';

const specs: TensorSpec[] = [
  { name: 'image', type: 'float32', dims: ['batch', 4] },
  { name: 'mask', type: 'uint8', dims: [null, 4] },
];
const good = () => ({ image: tensor('float32', new Float32Array(8), [2, 4]), mask: tensor('uint8', new Uint8Array(8), [2, 4]) });

const reject = (inputs: unknown, pattern: RegExp, input?: string) => {
  let caught: unknown;
  try {
    validateInputs(inputs, specs);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as Error).message).toMatch(pattern);
  if (input !== undefined) expect((caught as InputError).input).toBe(input);
};

describe('validateInputs', () => {
  it('accepts well-formed inputs with dynamic dims', () => {
    expect(() => validateInputs(good(), specs)).not.toThrow();
  });
  it('names a missing input and what it should be', () => reject({ image: good().image }, /input "mask".*received nothing.*uint8 tensor of shape \[\?, 4\]/, 'mask'));
  it('names an unknown input and lists the valid ones', () => reject({ ...good(), extra: good().image }, /input "extra".*one of "image", "mask"/, 'extra'));
  it('rejects a wrong dtype', () => reject({ ...good(), mask: tensor('int8', new Int8Array(8), [2, 4]) }, /dtype int8.*dtype uint8/, 'mask'));
  it('rejects data of the wrong array class', () =>
    reject({ ...good(), image: { type: 'float32', data: [1, 2, 3, 4], dims: [1, 4] } }, /data as Array.*Float32Array/, 'image'));
  it('rejects a wrong rank and a wrong fixed dim', () => {
    reject({ ...good(), image: tensor('float32', new Float32Array(8), [8]) }, /rank 1.*rank 2/, 'image');
    reject({ ...good(), image: tensor('float32', new Float32Array(6), [2, 3]) }, /axis 1 must be 4/, 'image');
  });
  it('rejects a length that does not match dims', () =>
    reject({ ...good(), image: { type: 'float32', data: new Float32Array(7), dims: [2, 4] } }, /7 elements.*8 elements/, 'image'));
  it('rejects NaN and Infinity unless allowed', () => {
    const inputs = good();
    inputs.image.data[5] = Infinity;
    reject(inputs, /Infinity at flat index 5/, 'image');
    expect(() => validateInputs(inputs, specs, { allowNonFinite: true })).not.toThrow();
  });
  it('rejects a non-object', () => {
    reject(null, /inputs: received null/);
    reject([good().image], /received an array/);
  });
});
