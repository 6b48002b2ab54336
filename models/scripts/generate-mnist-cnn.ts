import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quantizeStaticCalibrated } from '@edgewise/model-tools/quantize-calibrate';
import { loadMnist, MNIST_PIXELS } from './mnist-data.js';
import { mnistCnnToOnnx, mnistCnnWeights } from './mnist-cnn.js';

/** Calibration rows for static int8: 200 training images spread over every class (the split is class-sorted). */
export function mnistCalibrationRows(count = 200): Float32Array[] {
  const { train } = loadMnist();
  const step = Math.floor(train.count / count);
  return Array.from({ length: count }, (_, i) => train.images.slice(i * step * MNIST_PIXELS, (i * step + 1) * MNIST_PIXELS));
}

/**
 * mnist-cnn/model.onnx (fp32) and model-int8.onnx (static int8, calibrated on mnistCalibrationRows),
 * plus mnist/model-int8-static.onnx for the MLP, so the Node and browser benches load the same bytes.
 */
export async function generateMnistCnn(outDir: string, mlpFp32: Uint8Array): Promise<void> {
  const dir = join(outDir, 'mnist-cnn');
  await mkdir(dir, { recursive: true });
  const fp32 = mnistCnnToOnnx(await mnistCnnWeights(loadMnist().train, 6, () => {}));
  const calibration = mnistCalibrationRows();
  await writeFile(join(dir, 'model.onnx'), fp32);
  await writeFile(join(dir, 'model-int8.onnx'), (await quantizeStaticCalibrated(fp32, calibration, [1, MNIST_PIXELS])).bytes);
  await writeFile(join(outDir, 'mnist', 'model-int8-static.onnx'), (await quantizeStaticCalibrated(mlpFp32, calibration, [1, MNIST_PIXELS])).bytes);
}
