/**
 * A model in several files (ONNX graph + external weights) goes manifest → store → engine as
 * separate buffers, and runs with the weights ORT finds by their path.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { denseModelWithExternalData } from '../../models/scripts/external-data-model.js';
import { describeFiles, writeManifest } from '../../models/scripts/manifest.js';
import { startFaultServer } from '../fault-server.js';

describe('multi-file models', () => {
  it('an ONNX graph with external data loads from a manifest listing both files, and computes the reference', async () => {
    const root = await mkdtemp(join(tmpdir(), 'edgewise-multi-'));
    const dir = join(root, 'dense');
    await mkdir(dir);
    const model = denseModelWithExternalData([16, 64, 4], 7, 'weights.bin');
    await writeFile(join(dir, 'model.onnx'), model.graph);
    await writeFile(join(dir, 'weights.bin'), model.weights);
    await writeManifest(dir, {
      format: 'edgewise-manifest',
      version: 1,
      name: 'dense-external',
      latest: '1.0.0',
      revoked: [],
      versions: { '1.0.0': { engine: 'onnx', entry: 'model.onnx', files: await describeFiles(dir, ['model.onnx', 'weights.bin']) } },
    });
    const server = await startFaultServer(root);
    try {
      const progress: Array<{ loaded: number; total: number; file: string }> = [];
      const runtime = createNodeRuntime({ cacheDir: await mkdtemp(join(tmpdir(), 'edgewise-multi-cache-')) });
      const loaded = await runtime.loadModel({ manifest: `${server.url}/dense/manifest.json`, onProgress: (p) => progress.push(p) });
      const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
      const out = (await loaded.run({ input: tensor('float32', x, [1, 16]) })).probabilities!.data as Float32Array;
      const want = model.forward(x);
      for (let i = 0; i < 4; i++) expect(Math.abs(out[i]! - want[i]!)).toBeLessThan(1e-5);
      // Progress is one total across both files.
      const total = model.graph.byteLength + model.weights.byteLength;
      expect(progress.at(-1)).toMatchObject({ loaded: total, total, file: 'weights.bin' });
      expect(new Set(progress.map((p) => p.file))).toEqual(new Set(['model.onnx', 'weights.bin']));
      await loaded.dispose();
    } finally {
      await server.close();
    }
  });
});
