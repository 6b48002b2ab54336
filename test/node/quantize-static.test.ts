import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { QuantizeError, encodeModel, node, onnx, planStaticQuantization, quantizeStatic } from '@edgewise/model-tools';
import { quantizeStaticCalibrated } from '@edgewise/model-tools/quantize-calibrate';
import { compareQuantized } from '@edgewise/model-tools/quantize-report';
import { compareSpeed } from '@edgewise/model-tools/quantize-speed';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../models/scripts/mnist-data.js';
import * as ort from 'onnxruntime-web';
import { gemmModel, runModel } from './quantize-helpers.js';

const mnistDir = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
const rows = (images: Float32Array, count: number, step = 1) => Array.from({ length: count }, (_, i) => images.slice(i * step * 784, (i * step + 1) * 784));
const ops = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);

describe('edgewise quantize --calibrate (static int8, QDQ)', () => {
  it('MNIST MLP: 3 MatMul+Add → int8 Gemm, ≤ 30 % of the size, ≥ 99.5 % top-1 agreement on the test split, faster at batch 32', async () => {
    const fp32 = new Uint8Array(await readFile(`${mnistDir}model.onnx`));
    const { train, test } = loadMnist();
    const result = await quantizeStaticCalibrated(fp32, rows(train.images, 200, 37), [1, 784]);
    expect(result.quantized).toHaveLength(3);
    expect(result.skipped).toEqual([]);
    // MatMul + bias Add on rank-2 inputs fused into one Gemm each; the Adds are gone.
    expect(ops(result.bytes).filter((o) => o === 'Gemm')).toHaveLength(3);
    expect(ops(result.bytes)).not.toContain('Add');
    expect(ops(result.bytes)).not.toContain('MatMul');
    const report = await compareQuantized(fp32, result.bytes, rows(test.images, test.count), [1, 784]);
    expect(report.sizeRatio).toBeLessThanOrEqual(0.3);
    expect(report.top1Agreement).toBeGreaterThanOrEqual(0.995);
    expect(report.maxAbsDiff).toBeLessThan(0.1);
    // Proof that ORT fused the QDQ into int8 kernels: unfused fake-quant runs slower than fp32.
    const [, staticCell] = (await compareSpeed({ fp32, static: result.bytes }, 'fp32', test.images.slice(0, 784), [1, 784], { batches: [32], rounds: 15 })).filter((c) => c.batch === 32);
    expect(staticCell!.speedup.value).toBeGreaterThan(1.3);
  }, 120_000);

  it('needs a calibrated range for every activation it quantises', () => {
    const fp32 = gemmModel();
    expect(planStaticQuantization(fp32)).toEqual(['x', 'y']);
    expect(() => quantizeStatic(fp32, new Map([['x', { min: 0, max: 1, rank: 2 }]]))).toThrow(expect.objectContaining({ code: 'E_CALIBRATION', message: expect.stringMatching(/No calibrated range for 1 tensor\(s\): y/) }));
  });

  it('quantises Gemm with transB per output channel: one scale per row of the stored [out, in] weight', async () => {
    const fp32 = gemmModel();
    const samples = Array.from({ length: 40 }, (_, k) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(i * 1.3 + k)));
    const result = await quantizeStaticCalibrated(fp32, samples, [1, 8]);
    expect(result.quantized).toEqual(['Gemm_y']);
    const scale = onnx.ModelProto.decode(result.bytes).graph!.initializer!.find((t) => t.name === 'Gemm_y_quant/W_scale')!;
    expect(scale.dims!.map(Number)).toEqual([6]);
    // The smallest row is where a per-tensor scale would show: measure its error relative to its size.
    let [err, size] = [0, 0];
    for (const sample of samples) {
      const x = new ort.Tensor('float32', sample, [1, 8]);
      const [a, b] = [await runModel(fp32, { x }), await runModel(result.bytes, { x })];
      err = Math.max(err, Math.abs(a[0]! - b[0]!));
      size = Math.max(size, Math.abs(a[0]! - 0));
    }
    expect(err / size).toBeLessThan(0.02);
  });

  it('rejects what it cannot read or run, with typed errors', () => {
    const expectCode = (fn: () => unknown, code: string, message: RegExp) => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QuantizeError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    };
    expectCode(() => planStaticQuantization(new TextEncoder().encode('not protobuf \xff\xff')), 'E_MODEL_FORMAT', /Not an ONNX model/);
    const old = onnx.ModelProto.decode(gemmModel());
    old.opsetImport![0]!.version = 12;
    expectCode(() => planStaticQuantization(onnx.ModelProto.encode(old).finish()), 'E_UNSUPPORTED_MODEL', /Opset 12 is too old .* dynamic mode/);
    const relu = encodeModel({ name: 'r', inputs: [{ name: 'x', elemType: 'float32', dims: [1, 4] }], outputs: [{ name: 'y', elemType: 'float32', dims: [1, 4] }], initializers: [], nodes: [node('Relu', ['x'], ['y'])] });
    expectCode(() => quantizeStatic(relu, new Map()), 'E_NOTHING_TO_QUANTIZE', /No Conv, MatMul, Gemm/);
  });
});

