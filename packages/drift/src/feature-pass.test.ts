import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { featurePassModuleSource } from '../../../scripts/build-feature-pass.js';
import { readFileSync } from 'node:fs';
import { FEATURE_PASS_WASM } from './feature-pass-bytes.js';
import { STATS, featurePassKernel, forceJsFeaturePass, summarize } from './feature-pass.js';

/**
 * Float32 inputs take the WebAssembly pass where it compiles and the JavaScript pass elsewhere
 * (Hermes, a strict CSP). A baseline built on one and a device on the other must bin the same
 * values the same way, so the two must agree to the bit, not within a tolerance.
 */
afterEach(() => forceJsFeaturePass(false));

function both(data: Float32Array, start: number, length: number, width: number): [Float64Array, Float64Array] {
  const wasm = new Float64Array(STATS + 3).fill(7);
  const js = new Float64Array(STATS + 3).fill(7);
  forceJsFeaturePass(false);
  summarize(data, start, length, width, true, wasm, 3);
  forceJsFeaturePass(true);
  summarize(data, start, length, width, true, js, 3);
  return [wasm, js];
}

const special = fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 3.4e38, -1e-45, 1);
/**
 * Sums of a few float32 values of like magnitude are exact in float64, in any order: these mix
 * magnitudes 2^53 apart, where the order of additions shows in the result.
 */
const orderSensitive = fc.constantFrom(1, 2 ** -53, 2 ** -52, 3 * 2 ** -54, 2 ** 24, 1 + 2 ** -23, -1, 0.1);

describe('feature pass: WebAssembly and JavaScript give identical bits', () => {
  it('compiles here (Node 20 has WebAssembly SIMD)', () => {
    expect(featurePassKernel()).toBe('wasm-simd');
  });

  it('over random items: any width (odd, 1, wider than the item), offsets, tails, signs, NaN, ±Infinity, -0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 3, arbitrary: fc.float({ noNaN: false }) }, { weight: 5, arbitrary: orderSensitive }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: special }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 5 }),
        (values, width, skip) => {
          const data = Float32Array.from(values);
          const start = Math.min(skip, data.length - 1);
          const [wasm, js] = both(data, start, data.length - start, width);
          expect(Array.from(wasm).map((v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(js).map((v) => Object.is(v, -0) ? '-0' : String(v)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the order of additions is the one the baseline was built with (an odd last column joins the even lane)', () => {
    // 1 + 2^-53 rounds back to 1; 2^-53 + 2^-53 does not: which pair is added first shows.
    const [wasm, js] = both(Float32Array.of(1, 2 ** -53, 2 ** -53), 0, 3, 3);
    // (1 + 2^-53) + 2^-53, not 1 + (2^-53 + 2^-53)
    expect([wasm[3], js[3]]).toEqual([1, 1]);
  });

  it('the sums do not depend on the width: a feature read alone and one sharing a centroid pass give the same bits', () => {
    // Found by test/node/drift-exact-binning.test.ts: per-row partial sums made ink_std read alone
    // (one 784-wide row, as the baseline builder reads it) differ in the last bit from ink_std
    // sharing the 28-wide centroid pass (as the monitor reads it), and digits at bin edges moved.
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 3, arbitrary: fc.float({ noNaN: true, min: -1e6, max: 1e6 }) }, { weight: 5, arbitrary: orderSensitive }, { weight: 2, arbitrary: fc.constant(0) }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (values, width, js) => {
          const data = Float32Array.from(values);
          forceJsFeaturePass(js);
          const [alone, shared] = [new Float64Array(STATS), new Float64Array(STATS)];
          summarize(data, 0, data.length, data.length, false, alone, 0);
          summarize(data, 0, data.length, width, false, shared, 0);
          expect(Array.from(shared.subarray(0, 3))).toEqual(Array.from(alone.subarray(0, 3)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an item larger than the module\'s first memory page (the memory grows)', () => {
    const data = Float32Array.from({ length: 224 * 224 }, (_, i) => ((i * 2654435761) % 1000) / 999 - 0.25);
    const [wasm, js] = both(data, 0, data.length, 224);
    expect(wasm).toEqual(js);
    expect(wasm[3]).toBeCloseTo(data.reduce((a, v) => a + v, 0), 3);
  });

  it('only what it was asked for is written: out[at … at + STATS)', () => {
    const [wasm] = both(Float32Array.of(1, 2, 3, 4), 0, 4, 2);
    // sum, sumSq, nonzero, mass, Σ|v|·col, Σ rowMass·row, min, max
    expect(Array.from(wasm)).toEqual([7, 7, 7, 10, 30, 4, 10, 6, 7, 1, 4]);
  });
});

describe('feature pass: the committed module is the assembled .wat', () => {
  it('feature-pass-bytes.ts is what scripts/build-feature-pass.ts writes', async () => {
    const committed = readFileSync(new URL('./feature-pass-bytes.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await featurePassModuleSource());
    expect(WebAssembly.validate(FEATURE_PASS_WASM)).toBe(true);
  });
});
