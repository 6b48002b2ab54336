import { describe, expect, it } from 'vitest';
import { DTYPES, arrayClassFor, elementCount, tensor, transferablesOf } from './tensor.js';

describe('tensor()', () => {
  it('stores each dtype in its typed array (float16 as raw bits, bool as bytes)', () => {
    expect(DTYPES.map((t) => [t, arrayClassFor(t).name])).toEqual([
      ['float32', 'Float32Array'],
      ['float16', 'Uint16Array'],
      ['int32', 'Int32Array'],
      ['int64', 'BigInt64Array'],
      ['int8', 'Int8Array'],
      ['uint8', 'Uint8Array'],
      ['bool', 'Uint8Array'],
    ]);
  });

  it('converts plain arrays (to BigInt for int64), keeps typed arrays as given, and copies the dims', () => {
    const dims = [2, 2];
    const t = tensor('int64', [1, 2, 3, -4], dims);
    expect(t.data).toEqual(BigInt64Array.from([1n, 2n, 3n, -4n]));
    dims[0] = 9;
    expect(t.dims).toEqual([2, 2]);
    expect(tensor('int8', [1, -2, 300], [3]).data).toEqual(Int8Array.from([1, -2, 44]));
    const own = new Float32Array([1, 2]);
    expect(tensor('float32', own, [2]).data).toBe(own);
    expect(tensor('bool', [1, 0], [1, 2])).toEqual({ type: 'bool', data: Uint8Array.from([1, 0]), dims: [1, 2] });
  });

  it('refuses data whose length does not match the dims, naming both', () => {
    expect(() => tensor('float32', [1, 2, 3], [2, 2])).toThrow(new RangeError('tensor(): data has 3 elements but dims [2, 2] need 4.'));
    expect(elementCount([])).toBe(1);
    expect(elementCount([3, 0, 2])).toBe(0);
    expect(tensor('uint8', [], [0, 5]).data).toHaveLength(0);
  });
});

describe('transferablesOf', () => {
  it('lists each ArrayBuffer once, however many views share it, and never a SharedArrayBuffer', () => {
    const buffer = new ArrayBuffer(16);
    const other = new Float32Array(2);
    const shared = new Float32Array(new SharedArrayBuffer(8));
    const list = transferablesOf({
      a: tensor('float32', new Float32Array(buffer, 0, 2), [2]),
      b: tensor('float32', new Float32Array(buffer, 8, 2), [2]),
      c: tensor('float32', other, [2]),
      d: tensor('float32', shared, [2]),
    });
    expect(list).toEqual([buffer, other.buffer]);
    expect(transferablesOf({})).toEqual([]);
  });
});
