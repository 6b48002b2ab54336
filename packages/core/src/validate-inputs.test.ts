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

describe('validateInputs: the exact message for each fault', () => {
  const sig: TensorSpec[] = [
    { name: 'x', type: 'float32', dims: [null, 4] },
    { name: 'ids', type: 'int32', dims: [1, 'seq'] },
  ];
  const x = () => tensor('float32', new Float32Array(8), [2, 4]);
  const ids = () => tensor('int32', [1, 2, 3], [1, 3]);
  const message = (inputs: unknown, options = {}) => {
    try {
      validateInputs(inputs, sig, options);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
  };

  it.each([
    [null, 'Invalid inputs: received null; expected an object keyed by input name ("x", "ids").'],
    [[1], 'Invalid inputs: received an array; expected an object keyed by input name ("x", "ids").'],
    [7, 'Invalid inputs: received 7; expected an object keyed by input name ("x", "ids").'],
  ])('the inputs object itself: %j', (inputs, expected) => expect(message(inputs)).toBe(expected));

  it('each field of a tensor', () => {
    expect(message({ x: x(), ids: ids(), y: x() })).toBe('Invalid input "y": received an input the model does not have; expected one of "x", "ids".');
    expect(message({ x: x() })).toBe('Invalid input "ids": received nothing; expected a int32 tensor of shape [1, seq].');
    expect(message({ x: null, ids: ids() })).toBe('Invalid input "x": received object; expected a tensor {type, data, dims}.');
    expect(message({ x: 'pixels', ids: ids() })).toBe('Invalid input "x": received string; expected a tensor {type, data, dims}.');
    expect(message({ x: { ...x(), type: 'float64' }, ids: ids() })).toBe('Invalid input "x": received type "float64"; expected one of float32, float16, int32, int64, int8, uint8, bool.');
    expect(message({ x: { ...x(), type: 3 }, ids: ids() })).toBe('Invalid input "x": received type 3; expected one of float32, float16, int32, int64, int8, uint8, bool.');
    expect(message({ x: { ...x(), data: new Float64Array(8) }, ids: ids() })).toBe('Invalid input "x": received data as Float64Array; expected data as Float32Array for dtype float32.');
    expect(message({ x: { ...x(), data: null }, ids: ids() })).toBe('Invalid input "x": received data as object; expected data as Float32Array for dtype float32.');
    expect(message({ x: { ...x(), data: 'abc' }, ids: ids() })).toBe('Invalid input "x": received data as string; expected data as Float32Array for dtype float32.');
    expect(message({ x: { ...x(), dims: '2,4' }, ids: ids() })).toBe('Invalid input "x": received dims "2,4"; expected dims as an array of non-negative integers.');
    expect(message({ x: { ...x(), dims: [2, -4] }, ids: ids() })).toBe('Invalid input "x": received dims [2,-4]; expected dims as an array of non-negative integers.');
    expect(message({ x: { ...x(), dims: [2.5, 4] }, ids: ids() })).toBe('Invalid input "x": received dims [2.5,4]; expected dims as an array of non-negative integers.');
    expect(message({ x: { ...x(), dims: [2, 3] }, ids: ids() })).toBe('Invalid input "x": received 8 elements; expected 6 elements for dims [2, 3].');
    expect(message({ x: { ...x(), dims: [1, 2, 4] }, ids: ids() })).toBe('Invalid input "x": received shape [1, 2, 4] (rank 3); expected shape [?, 4] (rank 2).');
    expect(message({ x: { ...x(), dims: [4, 2] }, ids: ids() })).toBe('Invalid input "x": received shape [4, 2]; expected shape [?, 4] (axis 1 must be 4).');
    expect(message({ x: x(), ids: { ...ids(), dims: [3, 1] } })).toBe('Invalid input "ids": received shape [3, 1]; expected shape [1, seq] (axis 0 must be 1).');
  });

  it('zero-sized axes are valid; non-finite values are named with their flat index unless allowed, for float32 only', () => {
    expect(message({ x: tensor('float32', new Float32Array(0), [0, 4]), ids: ids() })).toBe('ok');
    const bad = x();
    (bad.data as Float32Array)[6] = -Infinity;
    expect(message({ x: bad, ids: ids() })).toBe('Invalid input "x": received -Infinity at flat index 6; expected finite numbers (pass allowNonFinite: true to accept NaN/Infinity).');
    expect(message({ x: bad, ids: ids() }, { allowNonFinite: true })).toBe('ok');
    // A spec without dims: any shape that matches its data.
    expect(() => validateInputs({ m: tensor('uint8', new Uint8Array(6), [3, 2]) }, [{ name: 'm', type: 'uint8' } as TensorSpec])).not.toThrow();
  });
});
