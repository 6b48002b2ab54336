import { encodeModel, initializer, intAttr, node, type ValueInfo } from './onnx-graph.js';
import { glorotUniform, seededRandom } from './seeded-random.js';

/** Weights of a dense network: layer i maps sizes[i] → sizes[i+1]; ReLU between, softmax last. */
export interface DenseNetwork {
  sizes: number[];
  kernels: Float32Array[];
  biases: Float32Array[];
}

/** Random (seeded) weights; biases small but non-zero so they matter in tests. */
export function randomDenseNetwork(sizes: number[], seed: number): DenseNetwork {
  const rand = seededRandom(seed);
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    kernels.push(glorotUniform(rand, sizes[i]!, sizes[i + 1]!));
    biases.push(Float32Array.from({ length: sizes[i + 1]! }, () => (rand() - 0.5) * 0.2));
  }
  return { sizes, kernels, biases };
}

export interface DenseOnnxOptions {
  inputName?: string;
  outputName?: string;
  /** Batch dimension: a number for a static shape (needed by ORT's WebGL EP) or a name for dynamic. */
  batch?: number | string;
  /** Also output the top class ("class", int64) via ArgMax: an op ORT's WebGL EP does not have. */
  withArgMax?: boolean;
}

/** Writes the network as MatMul + Add (+ Relu) … + Softmax: the ops a Keras Dense stack lowers to. */
export function denseNetworkToOnnx(net: DenseNetwork, options: DenseOnnxOptions = {}): Uint8Array {
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'probabilities';
  const batch = options.batch ?? 1;
  const nodes = [];
  const initializers = [];
  let current = inputName;
  for (let i = 0; i < net.kernels.length; i++) {
    const [fanIn, fanOut] = [net.sizes[i]!, net.sizes[i + 1]!];
    initializers.push(initializer(`dense${i}/kernel`, 'float32', net.kernels[i]!, [fanIn, fanOut]));
    initializers.push(initializer(`dense${i}/bias`, 'float32', net.biases[i]!, [fanOut]));
    nodes.push(node('MatMul', [current, `dense${i}/kernel`], [`dense${i}/matmul`]));
    nodes.push(node('Add', [`dense${i}/matmul`, `dense${i}/bias`], [`dense${i}/out`]));
    current = `dense${i}/out`;
    if (i + 1 < net.kernels.length) {
      nodes.push(node('Relu', [current], [`dense${i}/relu`]));
      current = `dense${i}/relu`;
    }
  }
  nodes.push(node('Softmax', [current], [outputName], [intAttr('axis', -1)]));
  const outputs: ValueInfo[] = [{ name: outputName, elemType: 'float32', dims: [batch, net.sizes.at(-1)!] }];
  if (options.withArgMax) {
    nodes.push(node('ArgMax', [outputName], ['class'], [intAttr('axis', 1), intAttr('keepdims', 0)]));
    outputs.push({ name: 'class', elemType: 'int64', dims: [batch] });
  }
  return encodeModel({
    name: 'dense',
    inputs: [{ name: inputName, elemType: 'float32', dims: [batch, net.sizes[0]!] }],
    outputs,
    initializers,
    nodes,
  });
}

/** Reference forward pass in plain JS, to check every engine and backend against. */
export function denseNetworkForward(net: DenseNetwork, input: Float32Array): Float32Array {
  let x = Array.from(input);
  net.kernels.forEach((kernel, layer) => {
    const [fanIn, fanOut] = [net.sizes[layer]!, net.sizes[layer + 1]!];
    const y = Array.from(net.biases[layer]!);
    for (let o = 0; o < fanOut; o++) for (let i = 0; i < fanIn; i++) y[o]! += x[i]! * kernel[i * fanOut + o]!;
    x = layer + 1 < net.kernels.length ? y.map((v) => Math.max(0, v)) : y;
  });
  const max = Math.max(...x);
  const exp = x.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return Float32Array.from(exp, (v) => v / sum);
}
