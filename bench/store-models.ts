/**
 * The store benchmark's large models, generated on demand into models/generated/bench-store/ (never
 * committed): a 64 MB single-file ONNX model and a 256 MB one as graph + external weights (the
 * layout large models ship in). Random seeded weights: only size and shape matter here.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { denseNetworkToOnnx, randomDenseNetwork } from '@edgewise/model-tools';
import { denseModelWithExternalData } from '../models/scripts/external-data-model.js';
import { describeFiles, writeManifest } from '../models/scripts/manifest.js';

export interface BenchModel {
  name: string;
  /** Manifest path under models/generated/. */
  manifest: string;
  version: string;
}

const root = fileURLToPath(new URL('../models/generated/', import.meta.url));

async function write(name: string, files: Record<string, Uint8Array>, entry: string): Promise<void> {
  const dir = `${root}bench-store/${name}/`;
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of Object.entries(files)) await writeFile(dir + path, bytes);
  await writeManifest(dir, {
    format: 'edgewise-manifest',
    version: 1,
    name,
    latest: '1.0.0',
    revoked: [],
    versions: { '1.0.0': { engine: 'onnx', entry, files: await describeFiles(dir, Object.keys(files)) } },
  });
}

/** MNIST fp32 (2.7 MB, from `npm run models`), 64 MB and 256 MB (generated here when missing). */
export async function benchModels(which: string[]): Promise<BenchModel[]> {
  const out: BenchModel[] = [];
  for (const name of which) {
    if (name === 'mnist') {
      out.push({ name, manifest: 'mnist/manifest.json', version: '1.0.0' });
      continue;
    }
    const manifest = `bench-store/${name}/manifest.json`;
    if (!existsSync(root + manifest)) {
      process.stdout.write(`generating ${name}… `);
      // [784, h, h, 10] float32: 64 MB at h = 3584, 260 MB at h = 7680.
      if (name === '64mb') await write(name, { 'model.onnx': denseNetworkToOnnx(randomDenseNetwork([784, 3584, 3584, 10], 64), { inputName: 'input', batch: 1 }) }, 'model.onnx');
      else if (name === '256mb') {
        const model = denseModelWithExternalData([784, 7680, 7680, 10], 256, 'weights.bin');
        await write(name, { 'model.onnx': model.graph, 'weights.bin': model.weights }, 'model.onnx');
      } else throw new RangeError(`bench:store: unknown model "${name}"; known: mnist, 64mb, 256mb.`);
      console.log('done');
    }
    out.push({ name, manifest, version: '1.0.0' });
  }
  return out;
}
