import { writeFile, mkdir, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBaseline, extractFeature } from '@edgewise/drift';
import { denseNetworkToOnnx, quantizeDynamic } from '@edgewise/model-tools';
import { loadMnist, MNIST_PIXELS } from './mnist-data.js';
import { MNIST_FEATURES } from './mnist-features.js';
import { MNIST_TFJS_DIR, ensureMnistNetwork } from './mnist-model.js';
import { describeFiles, writeManifest } from './manifest.js';
import { scrambleNetwork } from './scramble-weights.js';

const io = {
  inputs: [{ name: 'input', type: 'float32', dims: ['batch', MNIST_PIXELS] }],
  outputs: [{ name: 'probabilities', type: 'float32', dims: ['batch', 10] }],
};

/** MNIST: fp32 ONNX, int8 ONNX (our quantizer), a scrambled int8 (broken on purpose), TF.js layers copy, feature baseline, manifest. */
export async function generateMnist(outDir: string): Promise<void> {
  const dir = join(outDir, 'mnist');
  await mkdir(join(dir, 'tfjs'), { recursive: true });
  const net = await ensureMnistNetwork();
  const fp32 = denseNetworkToOnnx(net, { inputName: 'input', outputName: 'probabilities', batch: 'batch' });
  await writeFile(join(dir, 'model.onnx'), fp32);
  await writeFile(join(dir, 'model-int8.onnx'), quantizeDynamic(fp32).bytes);
  // The canary guard's broken candidate: int8 like model-int8.onnx, weights shuffled (seed 15).
  const scrambled = denseNetworkToOnnx(scrambleNetwork(net, 15), { inputName: 'input', outputName: 'probabilities', batch: 'batch' });
  await writeFile(join(dir, 'model-int8-scrambled.onnx'), quantizeDynamic(scrambled).bytes);
  for (const f of ['model.json', 'weights.bin']) await copyFile(join(MNIST_TFJS_DIR, f), join(dir, 'tfjs', f));

  const { train } = loadMnist();
  const images = { data: train.images, dims: [train.count, MNIST_PIXELS] };
  const columns = Object.fromEntries(MNIST_FEATURES.map((spec) => [spec.name, extractFeature(images, spec)]));
  await writeFile(join(dir, 'baseline.json'), JSON.stringify(buildBaseline(columns)));

  await writeManifest(dir, {
    format: 'edgewise-manifest',
    version: 1,
    name: 'mnist',
    latest: '1.1.0',
    revoked: [],
    versions: {
      '1.0.0': { engine: 'onnx', entry: 'model.onnx', files: await describeFiles(dir, ['model.onnx']), ...io, baseline: 'baseline.json' },
      '1.1.0': { engine: 'onnx', entry: 'model-int8.onnx', files: await describeFiles(dir, ['model-int8.onnx']), ...io, baseline: 'baseline.json' },
      '1.0.0-tfjs': {
        engine: 'tfjs',
        entry: 'tfjs/model.json',
        files: await describeFiles(dir, ['tfjs/model.json', 'tfjs/weights.bin']),
        baseline: 'baseline.json',
      },
    },
  });
}
