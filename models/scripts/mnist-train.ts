import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom, type DenseNetwork } from '@edgewise/model-tools';
import { MNIST_PIXELS, type MnistSplit } from './mnist-data.js';

/** 784 → 512 → 512 → 10: big enough that int8 quantisation pays off in WASM, small enough to train in seconds. */
export const MNIST_SIZES = [MNIST_PIXELS, 512, 512, 10];
const SEED = 1122;

/** Trains with seeded initialisers and a seeded shuffle, so every machine gets the same weights. */
export async function trainMnist(train: MnistSplit, epochs = 4, log = (l: string) => console.log(l)): Promise<DenseNetwork> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  await tf.setBackend(process.env.TFJS_BACKEND ?? 'wasm');
  const model = tfl.sequential();
  MNIST_SIZES.slice(1).forEach((units, i) =>
    model.add(
      tfl.layers.dense({
        units,
        activation: i === MNIST_SIZES.length - 2 ? 'softmax' : 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: SEED + i }),
        name: `dense${i}`,
        ...(i === 0 ? { inputShape: [MNIST_PIXELS] } : {}),
      }),
    ),
  );
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rand = seededRandom(SEED);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: train.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const images = new Float32Array(train.count * MNIST_PIXELS);
    order.forEach((src, dst) => images.set(train.images.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), dst * MNIST_PIXELS));
    const xs = tf.tensor2d(images, [train.count, MNIST_PIXELS]);
    const ys = tf.oneHot(tf.tensor1d(Int32Array.from(order, (i) => train.labels[i]!), 'int32'), 10);
    const history = await model.fit(xs, ys, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
    log(`mnist: epoch ${epoch + 1}/${epochs} loss ${(history.history.loss![0] as number).toFixed(4)} acc ${(history.history.acc![0] as number).toFixed(4)}`);
    tf.dispose([xs, ys]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return {
    sizes: MNIST_SIZES,
    kernels: weights.filter((_, i) => i % 2 === 0).map((w) => Float32Array.from(w)),
    biases: weights.filter((_, i) => i % 2 === 1).map((w) => Float32Array.from(w)),
  };
}
