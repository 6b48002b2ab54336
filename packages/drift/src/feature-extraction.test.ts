import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFeatureSpec, extractFeature, extractFeatures, FEATURE_REDUCERS, type FeatureSpec } from './feature-extraction.js';

/**
 * The monitor's features run on every inference through one fused pass per item; this checks
 * them against the plain definition of each reducer, written the obvious (slow) way, over random
 * tensors: any batch size, rank, sign and share of zeros, and every reducer mixed in one call.
 */
function reference(item: number[], spec: FeatureSpec, lastDim: number): number {
  const n = item.length;
  const mean = item.reduce((a, v) => a + v, 0) / n;
  switch (spec.reduce ?? 'value') {
    case 'value':
      return item[spec.index ?? 0]!;
    case 'mean':
      return mean;
    case 'std':
      return Math.sqrt(item.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    case 'min':
      return Math.min(...item);
    case 'max':
      return Math.max(...item);
    case 'nonzero-fraction':
      return item.filter((v) => v !== 0).length / n;
    case 'centroid-x':
    case 'centroid-y': {
      const width = spec.width ?? lastDim;
      const height = Math.floor(n / width);
      let mass = 0;
      let moment = 0;
      for (let i = 0; i < height * width; i++) {
        const a = Math.abs(item[i]!);
        mass += a;
        moment += a * (spec.reduce === 'centroid-x' ? i % width : Math.floor(i / width));
      }
      const extent = (spec.reduce === 'centroid-x' ? width : height) - 1 || 1;
      return mass === 0 ? NaN : moment / mass / extent;
    }
    default:
      throw new Error(`no reference for ${spec.reduce}`);
  }
}

/** A tensor of `items` items, each `rows × cols`, as [items, rows, cols], [items, cols·rows] or (one item) [cols·rows]. */
const tensorCase = fc
  .record({ items: fc.integer({ min: 1, max: 4 }), rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 6 }), shape: fc.constantFrom('3d', 'flat', 'single'), zeros: fc.double({ min: 0, max: 0.9, noNaN: true }) })
  .chain((c) => {
    const items = c.shape === 'single' ? 1 : c.items;
    const value = fc.oneof({ weight: Math.round(c.zeros * 10) + 1, arbitrary: fc.constant(0) }, { weight: 10, arbitrary: fc.integer({ min: -50, max: 255 }) });
    return fc.record({ data: fc.array(value, { minLength: items * c.rows * c.cols, maxLength: items * c.rows * c.cols }), c: fc.constant({ ...c, items }) });
  })
  .map(({ data, c }) => {
    const dims = c.shape === '3d' ? [c.items, c.rows, c.cols] : c.shape === 'flat' ? [c.items, c.rows * c.cols] : [c.rows * c.cols];
    return { tensor: { data: Float32Array.from(data), dims }, items: c.items, perItem: c.rows * c.cols, lastDim: dims[dims.length - 1]!, rows: c.rows, cols: c.cols };
  });

const specsFor = (perItem: number, cols: number) =>
  fc.array(
    fc.record({ reduce: fc.constantFrom(...FEATURE_REDUCERS, undefined), index: fc.integer({ min: 0, max: perItem - 1 }), ownWidth: fc.boolean() }).map(({ reduce, index, ownWidth }, ): FeatureSpec => {
      const spec: FeatureSpec = { name: `f`, input: 'x' };
      if (reduce !== undefined) spec.reduce = reduce;
      if (reduce === 'value' || reduce === undefined) spec.index = index;
      // A centroid may name its own image width (here: the rows × cols layout of a flat tensor).
      if ((reduce === 'centroid-x' || reduce === 'centroid-y') && ownWidth) spec.width = cols;
      return spec;
    }),
    { minLength: 1, maxLength: 8 },
  );

const close = (actual: number, expected: number) => (Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)));

describe('extractFeatures: every reducer matches its plain definition', () => {
  it('on random tensors, batch sizes, layouts and mixes of reducers in one call', () => {
    fc.assert(
      fc.property(
        tensorCase.chain((t) => fc.record({ t: fc.constant(t), specs: specsFor(t.perItem, t.cols) })),
        ({ t, specs }) => {
          const out = extractFeatures(t.tensor, specs);
          expect(out).toHaveLength(specs.length);
          specs.forEach((spec, s) => {
            expect(out[s]).toHaveLength(t.items);
            for (let b = 0; b < t.items; b++) {
              const item = Array.from(t.tensor.data.subarray(b * t.perItem, (b + 1) * t.perItem));
              const expected = reference(item, spec, t.lastDim);
              if (!close(out[s]![b]!, expected)) {
                throw new Error(`${spec.reduce ?? 'value'}${spec.width ? ` width ${spec.width}` : ''} of item ${b} (dims ${t.tensor.dims}): ${out[s]![b]} ≠ ${expected}; item ${item}`);
              }
            }
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('one feature alone gives what it gives among others (the shared pass leaks nothing between specs)', () => {
    fc.assert(
      fc.property(
        tensorCase.chain((t) => fc.record({ t: fc.constant(t), specs: specsFor(t.perItem, t.cols) })),
        ({ t, specs }) => {
          const together = extractFeatures(t.tensor, specs);
          specs.forEach((spec, s) => expect(extractFeature(t.tensor, spec)).toEqual(together[s]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('centroids of a known image: a single bright pixel at (col 3, row 1) of a 5 × 3 image', () => {
    const data = new Float32Array(15);
    data[1 * 5 + 3] = 200;
    const tensor = { data, dims: [1, 3, 5] };
    const [x, y, mean, nz, max, min] = extractFeatures(tensor, [
      { name: 'x', input: 'i', reduce: 'centroid-x' },
      { name: 'y', input: 'i', reduce: 'centroid-y' },
      { name: 'm', input: 'i', reduce: 'mean' },
      { name: 'n', input: 'i', reduce: 'nonzero-fraction' },
      { name: 'hi', input: 'i', reduce: 'max' },
      { name: 'lo', input: 'i', reduce: 'min' },
    ]);
    expect(x).toEqual([3 / 4]);
    expect(y).toEqual([1 / 2]);
    expect(mean).toEqual([200 / 15]);
    expect(nz).toEqual([1 / 15]);
    expect(max).toEqual([200]);
    expect(min).toEqual([0]);
  });

  it('a blank image has no centroid (NaN), not a centre of 0', () => {
    const tensor = { data: new Float32Array(12), dims: [3, 4] };
    expect(extractFeatures(tensor, [{ name: 'x', input: 'i', reduce: 'centroid-x' }, { name: 'y', input: 'i', reduce: 'centroid-y' }])).toEqual([[NaN, NaN, NaN], [NaN, NaN, NaN]]);
  });

  it('a centroid whose own width does not divide the item still leaves mean, std and nonzero-fraction over every element', () => {
    // 7 elements laid out 3 wide: the last element is outside the image's full rows, but it is
    // still part of the input that the other statistics describe.
    const tensor = { data: Float32Array.from([1, 0, 2, 0, 3, 0, 9]), dims: [7] };
    const [cx, mean, std, nz] = extractFeatures(tensor, [
      { name: 'x', input: 'i', reduce: 'centroid-x', width: 3 },
      { name: 'm', input: 'i', reduce: 'mean' },
      { name: 's', input: 'i', reduce: 'std' },
      { name: 'n', input: 'i', reduce: 'nonzero-fraction' },
    ]);
    const item = [1, 0, 2, 0, 3, 0, 9];
    expect(cx![0]).toBeCloseTo(reference(item, { name: 'x', input: 'i', reduce: 'centroid-x', width: 3 }, 7), 12);
    expect(mean).toEqual([15 / 7]);
    expect(std![0]).toBeCloseTo(reference(item, { name: 's', input: 'i', reduce: 'std' }, 7), 12);
    expect(nz).toEqual([4 / 7]);
  });

  it('reads int64 (bigint) inputs as numbers', () => {
    const tensor = { data: BigInt64Array.from([5n, 0n, -3n, 7n]), dims: [2, 2] };
    expect(extractFeatures(tensor, [{ name: 'v', input: 'ids', index: 1 }, { name: 'm', input: 'ids', reduce: 'max' }])).toEqual([[0, 7], [5, 7]]);
  });

  it('an empty batch gives no values', () => {
    expect(extractFeatures({ data: new Float32Array(0), dims: [0, 4] }, [{ name: 'm', input: 'i', reduce: 'mean' }])).toEqual([[]]);
  });
});

describe('checkFeatureSpec: a bad spec is named in a typed error', () => {
  it.each([
    [null, TypeError, /each feature needs string "name" and "input"; received null/],
    [{ input: 'x' }, TypeError, /received \{"input":"x"\}/],
    [{ name: 'a' }, TypeError, /received \{"name":"a"\}/],
    [{ name: 1, input: 'x' }, TypeError, /"name" and "input"/],
    [{ name: 'a', input: 2 }, TypeError, /"name" and "input"/],
    [{ name: 'a', input: 'x', reduce: 'median' }, RangeError, /monitor\.features\["a"\]\.reduce is "median"; allowed: value, mean, std, min, max, nonzero-fraction, centroid-x, centroid-y\./],
  ])('%j', (spec, type, message) => {
    expect(() => checkFeatureSpec(spec as never)).toThrow(type);
    expect(() => checkFeatureSpec(spec as never)).toThrow(message);
  });

  it.each(FEATURE_REDUCERS.map((r) => [r]))('accepts reduce %s', (reduce) => {
    expect(() => checkFeatureSpec({ name: 'a', input: 'x', reduce })).not.toThrow();
  });
});
