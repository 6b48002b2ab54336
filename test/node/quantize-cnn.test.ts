import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnx } from '@edgewise/model-tools';
import { quantizeStaticCalibrated } from '@edgewise/model-tools/quantize-calibrate';
import { compareQuantized } from '@edgewise/model-tools/quantize-report';
import { describe, expect, it } from 'vitest';
import { quantizeCommand } from '../../packages/cli/src/quantize-command.js';
import { mnistCalibrationRows } from '../../models/scripts/generate-mnist-cnn.js';
import { loadMnist } from '../../models/scripts/mnist-data.js';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));
const testRows = () => {
  const { test } = loadMnist();
  return Array.from({ length: test.count }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
};

describe('static int8 on a convolutional model (the generated MNIST CNN)', () => {
  it('≤ 60 % of the size, probabilities within 0.05 of fp32, ≥ 99 % top-1 agreement on the test split', async () => {
    const fp32 = new Uint8Array(await readFile(`${generated}mnist-cnn/model.onnx`));
    const result = await quantizeStaticCalibrated(fp32, mnistCalibrationRows(), [1, 784]);
    expect(result.quantized).toEqual(['Conv_c2', 'Gemm_logits']);
    // The 1-channel first conv stays fp32, and says why.
    expect(result.skipped).toEqual([{ node: 'Conv_c1', reason: expect.stringMatching(/9 weights per output channel .*minConvDepth 32/) }]);
    // conv2's ReLU is folded into the zero point of the QuantizeLinear after it; conv1's stays.
    expect(result.keptFloat).toEqual({ Reshape: 1, Conv: 1, Relu: 1, MaxPool: 2, Flatten: 1, Softmax: 1 });
    const graph = onnx.ModelProto.decode(result.bytes).graph!;
    expect(graph.node!.filter((n) => n.opType === 'Relu').map((n) => n.output![0])).toEqual(['r1']);
    const report = await compareQuantized(fp32, result.bytes, testRows(), [1, 784]);
    expect(report.sizeRatio).toBeLessThanOrEqual(0.6);
    expect(report.maxAbsDiff).toBeLessThan(0.05);
    expect(report.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('edgewise quantize --calibrate writes the static model and reports size, agreement, speed at batch 1 and 32 and a recommendation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-quantize-'));
    const rows = mnistCalibrationRows(40).map((r) => Array.from(r, (v) => Math.round(v * 1000) / 1000));
    await writeFile(join(dir, 'calib.json'), JSON.stringify(rows));
    const lines: string[] = [];
    await quantizeCommand([`${generated}mnist/model.onnx`, join(dir, 'out.onnx'), '--calibrate', join(dir, 'calib.json'), '--shape', '1,784'], (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/static int8 \(QDQ, calibrated on 40 rows\): 3 node\(s\) int8/);
    expect(text).toMatch(/static: size 2679701 → \d+ bytes \(2\d\.\d\d%\); 40 samples: max abs diff .*top-1 agreement \d+\.\d\d%/);
    expect(text).toMatch(/dynamic: size 2679701 →/);
    for (const batch of [1, 32]) {
      expect(text).toMatch(new RegExp(`speed at batch ${batch} \\(ORT WASM, 1 thread, interleaved rounds, IQM, 95 % CI\\)`));
      expect(text).toMatch(new RegExp(`recommended at batch ${batch}: (fp32|static|dynamic)`));
    }
    expect(text).toMatch(/static +\d\.\d+ ms +×\d\.\d\d \[\d\.\d\d–\d\.\d\d\] vs fp32/);
    const out = new Uint8Array(await readFile(join(dir, 'out.onnx')));
    expect(onnx.ModelProto.decode(out).graph!.node!.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
  }, 120_000);

  it('edgewise quantize --mode static without --calibrate is a usage error naming the fix', async () => {
    await expect(quantizeCommand(['a.onnx', 'b.onnx', '--mode', 'static'], () => {})).rejects.toThrow(/--mode static needs --calibrate/);
    await expect(quantizeCommand(['a.onnx', 'b.onnx', '--calibrate', 'c.json'], () => {})).rejects.toThrow(/need --shape/);
  });
});
