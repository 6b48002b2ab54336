import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor, type TensorSpec } from './tensor.js';
import { compileInputValidator, validateInputs } from './validate-inputs.js';

const specs: TensorSpec[] = [
  { name: 'x', type: 'float32', dims: [null, 4] },
  { name: 'ids', type: 'int32', dims: [1, 'seq'] },
];
const outcome = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('compiled input validator', () => {
  it('accepts and rejects exactly what validateInputs does, with the same message', () => {
    const compiled = compileInputValidator(specs);
    const dtype = fc.constantFrom('float32', 'int32', 'uint8');
    const arbitraryTensor = fc.record({ type: dtype, dims: fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 3 }), values: fc.array(fc.oneof(fc.float({ noNaN: false }), fc.constant(1)), { maxLength: 25 }) });
    const build = (t: { type: string; dims: number[]; values: number[] }) => {
      const data = t.type === 'float32' ? Float32Array.from(t.values) : t.type === 'int32' ? Int32Array.from(t.values.map((v) => v | 0)) : Uint8Array.from(t.values);
      return { type: t.type, data, dims: t.dims };
    };
    fc.assert(
      fc.property(fc.option(arbitraryTensor), fc.option(arbitraryTensor), fc.boolean(), (x, ids, extra) => {
        const inputs: Record<string, unknown> = {};
        if (x) inputs.x = build(x);
        if (ids) inputs.ids = build(ids);
        if (extra) inputs.other = tensor('float32', [1], [1]);
        expect(outcome(() => compiled(inputs))).toBe(outcome(() => validateInputs(inputs, specs)));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts well-formed inputs and catches a NaN or Infinity anywhere', () => {
    const compiled = compileInputValidator(specs);
    const good = () => ({ x: tensor('float32', new Float32Array(8), [2, 4]), ids: tensor('int32', [1, 2, 3], [1, 3]) });
    expect(() => compiled(good())).not.toThrow();
    for (const bad of [NaN, Infinity, -Infinity]) {
      const inputs = good();
      (inputs.x.data as Float32Array)[5] = bad;
      expect(() => compiled(inputs)).toThrow(/at flat index 5/);
    }
    expect(() => compileInputValidator(specs, { allowNonFinite: true })({ ...good(), x: tensor('float32', [NaN, 0, 0, 0], [1, 4]) })).not.toThrow();
  });

  /**
   * Random inputs are almost never one step from valid, so the property above rarely reaches the
   * fast path's later checks. Here every case is a valid input with exactly one fault, so each check
   * must fire on its own; the fault is real (validateInputs names it) and the compiled validator
   * must name the same.
   */
  it('catches every single fault in an otherwise valid input, naming it as validateInputs does', () => {
    const faults = [
      'none',
      'inputs-null',
      'inputs-array',
      'inputs-string',
      'missing-key',
      'extra-key',
      'tensor-null',
      'tensor-number',
      'unknown-dtype',
      'other-dtype',
      'wrong-array-class',
      'plain-array-data',
      'dims-not-array',
      'dim-negative',
      'dim-fraction',
      'dim-string',
      'length-off-by-one',
      'rank-higher',
      'rank-lower',
      'fixed-axis',
      'nan',
      'infinity',
      'ids-fixed-axis',
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...faults), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.boolean(), (fault, batch, seq, at, allowNonFinite) => {
        const x = { type: 'float32', data: Float32Array.from({ length: batch * 4 }, (_, i) => i / 7) as unknown, dims: [batch, 4] as unknown };
        const ids = { type: 'int32', data: Int32Array.from({ length: seq }, (_, i) => i) as unknown, dims: [1, seq] as unknown };
        let inputs: unknown = { x, ids };
        const flat = at % (batch * 4);
        switch (fault) {
          case 'inputs-null': inputs = null; break;
          case 'inputs-array': inputs = [x, ids]; break;
          case 'inputs-string': inputs = 'x'; break;
          case 'missing-key': inputs = { x }; break;
          case 'extra-key': inputs = { x, ids, y: ids }; break;
          case 'tensor-null': inputs = { x: null, ids }; break;
          case 'tensor-number': inputs = { x: 3, ids }; break;
          case 'unknown-dtype': x.type = 'float64'; break;
          case 'other-dtype': x.type = 'int32'; break;
          case 'wrong-array-class': x.data = new Float64Array(batch * 4); break;
          case 'plain-array-data': x.data = Array.from({ length: batch * 4 }, () => 0); break;
          case 'dims-not-array': x.dims = `${batch},4`; break;
          case 'dim-negative': x.dims = [-batch, -4]; break;
          case 'dim-fraction': x.dims = [batch + 0.5, 4]; break;
          case 'dim-string': x.dims = [String(batch), 4]; break;
          case 'length-off-by-one': x.data = new Float32Array(batch * 4 + (at % 2 ? 1 : -1)); break;
          case 'rank-higher': x.dims = [batch, 4, 1]; break;
          case 'rank-lower': x.dims = [batch * 4]; break;
          case 'fixed-axis': x.dims = [batch * 2, 2]; break;
          case 'nan': (x.data as Float32Array)[flat] = NaN; break;
          case 'infinity': (x.data as Float32Array)[flat] = at % 2 ? Infinity : -Infinity; break;
          case 'ids-fixed-axis': ids.dims = [seq, 1]; break;
        }
        const options = { allowNonFinite };
        const slow = outcome(() => validateInputs(inputs, specs, options));
        const fast = outcome(() => compileInputValidator(specs, options)(inputs));
        const tolerated = fault === 'none' || (allowNonFinite && (fault === 'nan' || fault === 'infinity')) || (fault === 'ids-fixed-axis' && seq === 1);
        expect(slow === 'ok', `${fault}: ${slow}`).toBe(tolerated);
        expect(fast).toBe(slow);
      }),
      { numRuns: 2000 },
    );
  });

  it('checks finiteness in every position, the tail past a multiple of four included', () => {
    for (const length of [1, 3, 4, 5, 7, 8, 9]) {
      const spec: TensorSpec[] = [{ name: 'x', type: 'float32', dims: [length] }];
      const compiled = compileInputValidator(spec);
      for (let i = 0; i < length; i++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const data = new Float32Array(length).fill(1.5);
          data[i] = bad;
          expect(() => compiled({ x: tensor('float32', data, [length]) }), `${length}@${i}`).toThrow(new RegExp(`at flat index ${i}`));
        }
      }
      expect(() => compiled({ x: tensor('float32', new Float32Array(length).fill(-2), [length]) })).not.toThrow();
    }
  });

  it('a spec without dims accepts any shape whose element count matches its data', () => {
    const compiled = compileInputValidator([{ name: 'x', type: 'uint8' } as TensorSpec]);
    expect(() => compiled({ x: tensor('uint8', new Uint8Array(6), [2, 3]) })).not.toThrow();
    expect(() => compiled({ x: tensor('uint8', new Uint8Array(6), [6, 1, 1]) })).not.toThrow();
    expect(() => compiled({ x: { type: 'uint8', data: new Uint8Array(6), dims: [5] } })).toThrow(/6 elements/);
    // Non-finite checks are for float32 only.
    expect(() => compileInputValidator([{ name: 'x', type: 'int32', dims: [1] }])({ x: tensor('int32', [5], [1]) })).not.toThrow();
  });
});
