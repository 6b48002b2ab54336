import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { QuantizeError, denseNetworkToOnnx, encodeModel, initializer, node, quantizeDynamic, randomDenseNetwork, transpose } from '@edgewise/model-tools';
import { compareQuantized } from '@edgewise/model-tools/quantize-report';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../models/scripts/mnist-data.js';

const mnistDir = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));

describe('edgewise quantize (dynamic int8)', () => {
  it('MNIST: ≤30% of the size, ≥99.5% top-1 agreement on the test split, accuracy kept', async () => {
    const fp32 = new Uint8Array(await readFile(`${mnistDir}model.onnx`));
    const { bytes, quantized, skipped } = quantizeDynamic(fp32);
    expect(quantized).toHaveLength(3);
    expect(skipped).toEqual([]);
    const { test } = loadMnist();
    const samples = Array.from({ length: test.count }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
    const report = await compareQuantized(fp32, bytes, samples, [1, 784]);
    expect(report.sizeRatio).toBeLessThanOrEqual(0.3);
    expect(report.top1Agreement).toBeGreaterThanOrEqual(0.995);
    expect(report.maxAbsDiff).toBeLessThan(0.2);
  });

  it('quantises Gemm with transB and bias, matching the float model closely', async () => {
    const net = randomDenseNetwork([8, 6], 3);
    // The same layer as Gemm(x, Wᵀ, b, transB=1): weights stored [out, in].
    const gemm = encodeModel({
      name: 'gemm',
      inputs: [{ name: 'x', elemType: 'float32', dims: [1, 8] }],
      outputs: [{ name: 'y', elemType: 'float32', dims: [1, 6] }],
      initializers: [initializer('W', 'float32', transpose(net.kernels[0]!, 8, 6), [6, 8]), initializer('b', 'float32', net.biases[0]!, [6])],
      nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [{ name: 'transB', type: 2, i: 1 }])],
    });
    const { bytes, quantized } = quantizeDynamic(gemm);
    expect(quantized).toEqual(['Gemm_y']);
    const samples = Array.from({ length: 20 }, (_, k) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(i + k)));
    const report = await compareQuantized(gemm, bytes, samples, [1, 8]);
    expect(report.maxAbsDiff).toBeLessThan(0.05);
  });

  it('answers malformed and unsupported models with typed errors', () => {
    const expectCode = (bytes: Uint8Array, code: string, message: RegExp) => {
      let error: unknown;
      try {
        quantizeDynamic(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QuantizeError);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
    };
    expectCode(new TextEncoder().encode('definitely not protobuf \xff\xff\xff'), 'E_MODEL_FORMAT', /Not an ONNX model/);
    const old = encodeModel({ ...tinyGraph(), opset: 9 });
    expectCode(old, 'E_UNSUPPORTED_MODEL', /Opset 9 is too old/);
    const noWeights = encodeModel({ ...tinyGraph(), nodes: [node('Relu', ['x'], ['y'])], initializers: [] });
    expectCode(noWeights, 'E_NOTHING_TO_QUANTIZE', /No MatMul or Gemm/);
    const dynamicWeight = encodeModel({
      ...tinyGraph(),
      inputs: [tinyGraph().inputs[0]!, { name: 'w', elemType: 'float32', dims: [4, 2] }],
      initializers: [],
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
    });
    expectCode(dynamicWeight, 'E_NOTHING_TO_QUANTIZE', /weight is not a constant initializer/);
  });

  it('leaves non-MatMul ops and the graph interface unchanged', () => {
    const fp32 = denseNetworkToOnnx(randomDenseNetwork([4, 3], 1), { withArgMax: true });
    const { bytes } = quantizeDynamic(fp32);
    const text = new TextDecoder('latin1').decode(bytes);
    for (const op of ['Softmax', 'ArgMax', 'MatMulInteger', 'DynamicQuantizeLinear']) expect(text).toContain(op);
  });
});

function tinyGraph() {
  return {
    name: 't',
    inputs: [{ name: 'x', elemType: 'float32' as const, dims: [1, 4] }],
    outputs: [{ name: 'y', elemType: 'float32' as const, dims: [1, 2] }],
    initializers: [initializer('W', 'float32', new Float32Array(8).fill(0.5), [4, 2])],
    nodes: [node('MatMul', ['x', 'W'], ['y'])],
  };
}
