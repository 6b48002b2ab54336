import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFiles, writeManifest } from './manifest.js';
import { packageFile } from './package-file.js';

/**
 * Real models that ship inside npm packages, copied into place with manifests:
 * silero VAD v5 (ONNX, from @ricky0123/vad-web) and the uint8-quantized hand-tracking TF.js graph
 * model from @vladmandic/human.
 */
export async function copyShippedModels(outDir: string): Promise<void> {
  const vad = join(outDir, 'silero-vad');
  await mkdir(vad, { recursive: true });
  await copyFile(packageFile('@ricky0123/vad-web', 'dist/silero_vad_v5.onnx'), join(vad, 'silero_vad_v5.onnx'));
  await writeManifest(vad, {
    format: 'edgewise-manifest',
    version: 1,
    name: 'silero-vad',
    latest: '5.0.0',
    revoked: [],
    versions: {
      '5.0.0': {
        engine: 'onnx',
        entry: 'silero_vad_v5.onnx',
        files: await describeFiles(vad, ['silero_vad_v5.onnx']),
        inputs: [
          { name: 'input', type: 'float32', dims: [1, 'samples'] },
          { name: 'state', type: 'float32', dims: [2, 1, 128] },
          { name: 'sr', type: 'int64', dims: [] },
        ],
        outputs: [
          { name: 'output', type: 'float32', dims: [1, 1] },
          { name: 'stateN', type: 'float32', dims: [2, 1, 128] },
        ],
      },
    },
  });

  const hand = join(outDir, 'handtrack');
  await mkdir(hand, { recursive: true });
  for (const f of ['handtrack.json', 'handtrack.bin']) await copyFile(packageFile('@vladmandic/human', `models/${f}`), join(hand, f));
  await writeManifest(hand, {
    format: 'edgewise-manifest',
    version: 1,
    name: 'handtrack',
    latest: '1.0.0',
    revoked: [],
    versions: { '1.0.0': { engine: 'tfjs', entry: 'handtrack.json', files: await describeFiles(hand, ['handtrack.json', 'handtrack.bin']) } },
  });
}
