import * as ort from 'onnxruntime-web';
import { encodeModel, initializer, intAttr, node, seededRandom } from '@edgewise/model-tools';
import { MNIST_PIXELS, type MnistSplit } from './mnist-data.js';

/**
 * A small MNIST CNN: conv 3×3 1→16, ReLU, max-pool 2 → conv 3×3 16→32, ReLU, max-pool 2 → dense
 * 1568→10, softmax; input [batch, 784] like the MLP's, reshaped to NCHW inside.
 *
 * Training it with TF.js in Node was too slow on two cores (the WASM backend has no
 * Conv2DBackpropFilter kernel; on the CPU backend one batch of 32 took > 2 s, ~10 min an epoch),
 * so the conv filters are seeded random (He-uniform: random conv + ReLU + pool is a fair fixed
 * feature extractor) and only the dense head is trained, by softmax regression on the conv features
 * (computed with onnxruntime-web), seeded: a few seconds, the same bytes every run.
 */
export interface MnistCnnWeights {
  conv1: Float32Array;
  conv1Bias: Float32Array;
  conv2: Float32Array;
  conv2Bias: Float32Array;
  dense: Float32Array;
  denseBias: Float32Array;
}

const SHAPES = { conv1: [16, 1, 3, 3], conv1Bias: [16], conv2: [32, 16, 3, 3], conv2Bias: [32], dense: [1568, 10], denseBias: [10] } as const;
type Name = keyof typeof SHAPES;
const FEATURES = 1568;
const SEED = 2020;

/** The CNN as ONNX; with `features`, it stops at the flattened conv features (used to train the head). */
export function mnistCnnToOnnx(w: MnistCnnWeights, options: { features?: boolean } = {}): Uint8Array {
  const conv = (x: string, k: string, b: string, y: string) => node('Conv', [x, k, b], [y], [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }, { name: 'kernel_shape', type: 7, ints: [3, 3] }]);
  const pool = (x: string, y: string) => node('MaxPool', [x], [y], [{ name: 'kernel_shape', type: 7, ints: [2, 2] }, { name: 'strides', type: 7, ints: [2, 2] }]);
  const body = [
    node('Reshape', ['input', 'shape'], ['image']),
    conv('image', 'conv1', 'conv1Bias', 'c1'), node('Relu', ['c1'], ['r1']), pool('r1', 'p1'),
    conv('p1', 'conv2', 'conv2Bias', 'c2'), node('Relu', ['c2'], ['r2']), pool('r2', 'p2'),
    node('Flatten', ['p2'], ['flat'], [intAttr('axis', 1)]),
  ];
  const head = [node('Gemm', ['flat', 'dense', 'denseBias'], ['logits']), node('Softmax', ['logits'], ['probabilities'], [intAttr('axis', -1)])];
  const names = (Object.keys(SHAPES) as Name[]).filter((n) => !options.features || n.startsWith('conv'));
  return encodeModel({
    name: 'mnist-cnn',
    inputs: [{ name: 'input', elemType: 'float32', dims: ['batch', MNIST_PIXELS] }],
    outputs: [options.features ? { name: 'flat', elemType: 'float32', dims: ['batch', FEATURES] } : { name: 'probabilities', elemType: 'float32', dims: ['batch', 10] }],
    initializers: [initializer('shape', 'int64', BigInt64Array.from([-1n, 1n, 28n, 28n]), [4]), ...names.map((n) => initializer(n, 'float32', w[n], [...SHAPES[n]]))],
    nodes: options.features ? body : [...body, ...head],
  });
}

async function features(w: MnistCnnWeights, split: MnistSplit): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(mnistCnnToOnnx(w, { features: true }), { executionProviders: ['wasm'] });
  const out = new Float32Array(split.count * FEATURES);
  for (let start = 0; start < split.count; start += 100) {
    const n = Math.min(100, split.count - start);
    const r = await session.run({ input: new ort.Tensor('float32', split.images.subarray(start * MNIST_PIXELS, (start + n) * MNIST_PIXELS), [n, MNIST_PIXELS]) });
    out.set(r.flat!.data as Float32Array, start * FEATURES);
  }
  await session.release();
  return out;
}

/** Seeded conv filters plus a dense head trained by minibatch softmax regression. */
export async function mnistCnnWeights(train: MnistSplit, epochs = 6, log = (l: string) => console.log(l)): Promise<MnistCnnWeights> {
  const rand = seededRandom(SEED);
  const heUniform = (n: number, fanIn: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * Math.sqrt(6 / fanIn));
  const w: MnistCnnWeights = {
    conv1: heUniform(16 * 9, 9),
    conv1Bias: new Float32Array(16),
    conv2: heUniform(32 * 16 * 9, 16 * 9),
    conv2Bias: new Float32Array(32),
    dense: new Float32Array(FEATURES * 10),
    denseBias: new Float32Array(10),
  };
  const x = await features(w, train);
  // Train on features scaled to [0, 1]; fold the scale back into the weights at the end.
  const scale = x.reduce((m, v) => Math.max(m, v), 0) || 1;
  const [W, b] = [new Float32Array(FEATURES * 10), new Float32Array(10)];
  const logits = new Float64Array(10);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: train.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = 0.05 / (1 + epoch);
    let correct = 0;
    for (const s of order) {
      const f = x.subarray(s * FEATURES, (s + 1) * FEATURES);
      logits.set(b);
      for (let i = 0; i < FEATURES; i++) {
        const v = f[i]! / scale;
        if (v !== 0) for (let o = 0; o < 10; o++) logits[o]! += v * W[i * 10 + o]!;
      }
      const max = Math.max(...logits);
      let sum = 0;
      for (let o = 0; o < 10; o++) sum += (logits[o] = Math.exp(logits[o]! - max));
      if (logits.indexOf(Math.max(...logits)) === train.labels[s]) correct++;
      for (let o = 0; o < 10; o++) logits[o] = logits[o]! / sum - (o === train.labels[s] ? 1 : 0);
      for (let o = 0; o < 10; o++) b[o]! -= lr * logits[o]!;
      for (let i = 0; i < FEATURES; i++) {
        const v = f[i]! / scale;
        if (v !== 0) for (let o = 0; o < 10; o++) W[i * 10 + o]! -= lr * v * logits[o]!;
      }
    }
    log(`mnist-cnn: head epoch ${epoch + 1}/${epochs} train accuracy ${((correct / train.count) * 100).toFixed(2)}%`);
  }
  w.dense = W.map((v) => v / scale);
  w.denseBias = b;
  return w;
}
