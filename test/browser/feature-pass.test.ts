import { describe, expect, it } from 'vitest';
import { STATS, featurePassKernel, forceJsFeaturePass, summarize } from '../../packages/drift/src/feature-pass.js';

/**
 * The monitor's feature pass in Chromium: the WebAssembly SIMD module compiles on the page (not
 * only in Node), and gives the bits the JavaScript pass gives, so a baseline built in Node matches
 * a browser's features. The page is cross-origin isolated like every test page.
 */
describe('feature pass in Chromium', () => {
  it('compiles to WebAssembly SIMD and agrees to the bit with the JavaScript pass on MNIST-like digits', async () => {
    expect(featurePassKernel()).toBe('wasm-simd');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 50; n++) {
      // A stroke of ink on a blank 28 × 28 field, in k/255 steps as MNIST's pixels are.
      const digit = Float32Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14 - n / 10) < 4 && random() < 0.7 ? Math.round(random() * 255) / 255 : 0));
      const [wasm, js] = [new Float64Array(STATS), new Float64Array(STATS)];
      summarize(digit, 0, 784, 28, true, wasm, 0);
      forceJsFeaturePass(true);
      summarize(digit, 0, 784, 28, true, js, 0);
      forceJsFeaturePass(false);
      expect(Array.from(wasm)).toEqual(Array.from(js));
      expect(wasm[0]).toBeGreaterThan(0);
    }
  });
});
