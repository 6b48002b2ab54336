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
});
