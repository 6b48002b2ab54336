import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFiles, writeManifest } from '../../models/scripts/manifest.js';
import { MNIST_FEATURES } from '../../models/scripts/mnist-features.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';
import { startFaultServer } from '../fault-server.js';

const mnist = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
let server: Awaited<ReturnType<typeof startFaultServer>>;

/**
 * A manifest whose version lists its baseline among its files (hashed like the model), beside
 * the generated one whose baseline is a bare path: the first is verified, cached and read offline.
 */
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edgewise-baseline-site-'));
  for (const file of ['model-int8.onnx', 'baseline.json']) await copyFile(join(mnist, file), join(dir, file));
  const io = { inputs: [{ name: 'input', type: 'float32', dims: ['batch', 784] }], outputs: [{ name: 'probabilities', type: 'float32', dims: ['batch', 10] }] };
  await writeManifest(dir, {
    format: 'edgewise-manifest',
    version: 1,
    name: 'mnist-with-baseline',
    latest: '2.0.0',
    revoked: [],
    versions: { '2.0.0': { engine: 'onnx', entry: 'model-int8.onnx', files: await describeFiles(dir, ['model-int8.onnx', 'baseline.json']), ...io, baseline: 'baseline.json' } },
  });
  server = await startFaultServer(dir);
});
afterAll(() => server.close());

const digits = (count: number) => {
  const { train } = loadMnist();
  return Array.from({ length: count }, (_, i) => tensor('float32', train.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), [1, MNIST_PIXELS]));
};

describe('the manifest\'s drift baseline, cached with its version', () => {
  it('listed among the version\'s files: verified at install, read from the cache, and a monitored load works offline', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'edgewise-cache-'));
    const manifest = `${server.url}/manifest.json`;
    server.setFault({ mode: 'ok' });
    const online = await createNodeRuntime({ cacheDir }).loadModel({ manifest, monitor: { features: MNIST_FEATURES } });
    for (const input of digits(50)) await online.run({ input });
    const onlineDrift = await online.drift();
    await online.dispose();
    // Downloaded once, with the model (as a file of the version); the monitor did not fetch it again.
    expect(server.requests.get('/baseline.json')).toBe(1);

    server.setFault({ mode: 'offline' });
    const offline = await createNodeRuntime({ cacheDir }).loadModel({ manifest, monitor: { features: MNIST_FEATURES } });
    for (const input of digits(50)) await offline.run({ input });
    const offlineDrift = await offline.drift();
    expect(offlineDrift.features.map((f) => f.feature)).toEqual(MNIST_FEATURES.map((f) => f.name));
    // The same baseline: the same 50 digits give the same verdicts.
    expect(offlineDrift.features.map((f) => f.metrics)).toEqual(onlineDrift.features.map((f) => f.metrics));
    expect(server.requests.get('/baseline.json')).toBe(1);
    await offline.dispose();
    server.setFault({ mode: 'ok' });
  }, 60_000);

  it('a tampered baseline fails the install like a tampered model, and nothing is installed', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'edgewise-cache-'));
    server.setFault({ mode: 'corrupt', match: /baseline\.json$/ });
    await expect(createNodeRuntime({ cacheDir }).loadModel({ manifest: `${server.url}/manifest.json`, monitor: { features: MNIST_FEATURES } })).rejects.toMatchObject({ code: 'E_INTEGRITY' });
    server.setFault({ mode: 'offline' });
    await expect(createNodeRuntime({ cacheDir }).loadModel({ manifest: `${server.url}/manifest.json` })).rejects.toMatchObject({ code: 'E_NOT_CACHED' });
    server.setFault({ mode: 'ok' });
  });

  it('not among the files (the generated mnist manifest): online it is fetched; offline the load fails saying how to cache it', async () => {
    const generated = await startFaultServer(fileURLToPath(new URL('../../models/generated/', import.meta.url)));
    try {
      const cacheDir = await mkdtemp(join(tmpdir(), 'edgewise-cache-'));
      const manifest = `${generated.url}/mnist/manifest.json`;
      const online = await createNodeRuntime({ cacheDir }).loadModel({ manifest, monitor: { features: MNIST_FEATURES } });
      expect((await online.drift()).features).toHaveLength(MNIST_FEATURES.length);
      await online.dispose();
      generated.setFault({ mode: 'offline' });
      const failure = createNodeRuntime({ cacheDir }).loadModel({ manifest, monitor: { features: MNIST_FEATURES } });
      await expect(failure).rejects.toMatchObject({ code: 'E_MODEL_SOURCE', recovery: 'retry-later' });
      await expect(failure).rejects.toThrow(/Could not read the monitor baseline .*baseline\.json.*not among the files of version 1\.1\.0 .*list ".*baseline\.json" there with its size and sha256/);
      // Without a monitor the cached version still loads offline.
      const unmonitored = await createNodeRuntime({ cacheDir }).loadModel({ manifest, monitor: false });
      expect(unmonitored.version).toBe('1.1.0');
      await unmonitored.dispose();
    } finally {
      generated.close();
    }
  }, 60_000);
});
