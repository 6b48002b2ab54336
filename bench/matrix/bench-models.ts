import { tensor, type Tensor } from '@edgewise/core';
import type { FeatureSpec } from '@edgewise/drift';
import { MNIST_FEATURES } from '../../models/scripts/mnist-features.js';

/** A model the benchmark runs, from models/generated (`npm run models`). */
export interface BenchModel {
  id: string;
  engine: 'onnx' | 'tfjs';
  /** 'layers' and 'graph' are TF.js model kinds; the raw TF.js runner loads them differently. */
  kind: 'onnx' | 'layers' | 'graph';
  url: string;
  about: string;
  /** One request's inputs, in the model's declared input order (fresh buffers every call). */
  inputs(): Tensor[];
  /** Input features the "with features" monitor sketches, for the sketch-overhead cells. */
  features: FeatureSpec[];
}

const pattern = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => (((i * 37) % 255) / 255) * scale);
const MNIST_INPUT = pattern(784);
const VAD_AUDIO = Float32Array.from({ length: 512 }, (_, i) => 0.3 * Math.sin(i * 0.07) * Math.sin(i * 0.011));
const PHOTO = Int32Array.from({ length: 320 * 320 * 3 }, (_, i) => (i * 7919) % 256);

export const BENCH_MODELS: BenchModel[] = [
  {
    id: 'mnist-int8',
    engine: 'onnx',
    kind: 'onnx',
    url: '/models/generated/mnist/model-int8.onnx',
    about: 'MNIST MLP 784-512-512-10, int8 dynamic quantization (ONNX, 0.68 MB)',
    inputs: () => [tensor('float32', MNIST_INPUT.slice(), [1, 784])],
    features: MNIST_FEATURES,
  },
  {
    id: 'mnist-fp32',
    engine: 'onnx',
    kind: 'onnx',
    url: '/models/generated/mnist/model.onnx',
    about: 'MNIST MLP, fp32 (ONNX, 2.7 MB)',
    inputs: () => [tensor('float32', MNIST_INPUT.slice(), [1, 784])],
    features: MNIST_FEATURES,
  },
  {
    id: 'mnist-tfjs',
    engine: 'tfjs',
    kind: 'layers',
    url: '/models/generated/mnist/tfjs/model.json',
    about: 'MNIST MLP, fp32 (TF.js layers model)',
    inputs: () => [tensor('float32', MNIST_INPUT.slice(), [1, 784])],
    features: MNIST_FEATURES,
  },
  {
    id: 'silero-vad',
    engine: 'onnx',
    kind: 'onnx',
    url: '/models/generated/silero-vad/silero_vad_v5.onnx',
    about: 'silero VAD v5, one 512-sample frame with recurrent state (ONNX, 2.3 MB)',
    inputs: () => [
      tensor('float32', VAD_AUDIO.slice(), [1, 512]),
      tensor('float32', new Float32Array(256), [2, 1, 128]),
      tensor('int64', new BigInt64Array([16000n]), []),
    ],
    features: [
      { name: 'level', input: 'input', reduce: 'std' },
      { name: 'peak', input: 'input', reduce: 'max' },
    ],
  },
  {
    id: 'handtrack',
    engine: 'tfjs',
    kind: 'graph',
    url: '/models/generated/handtrack/handtrack.json',
    about: 'hand detector from @vladmandic/human, uint8-quantized weights (TF.js graph model, 320×320 RGB)',
    inputs: () => [tensor('int32', PHOTO.slice(), [1, 320, 320, 3])],
    features: [
      { name: 'brightness', input: 'input_tensor', reduce: 'mean' },
      { name: 'contrast', input: 'input_tensor', reduce: 'std' },
    ],
  },
];

export function benchModel(id: string): BenchModel {
  const model = BENCH_MODELS.find((m) => m.id === id);
  if (!model) throw new RangeError(`Unknown bench model "${id}"; known: ${BENCH_MODELS.map((m) => m.id).join(', ')}.`);
  return model;
}
