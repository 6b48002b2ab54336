/**
 * Model store load times in headless Chromium: cold (over loopback) vs warm (IndexedDB) vs bytes in
 * memory, for the ~2.7 MB MNIST model and a generated ~7.5 MB one.
 * Run: npm run bench:store   (writes bench/results/store-browser.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { denseNetworkToOnnx, randomDenseNetwork } from '@edgewise/model-tools';
import { chromium } from 'playwright-core';
import { describeFiles, writeManifest } from '../models/scripts/manifest.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.js';
import { serveRepo } from './serve.js';
import { fmt } from './stats.js';

// A ~7.5 MB model for the larger case, generated (random weights: only its size matters here).
const dir = fileURLToPath(new URL('../models/generated/bench-8mb/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(`${dir}model.onnx`, denseNetworkToOnnx(randomDenseNetwork([784, 1024, 1024, 10], 8), { inputName: 'input', batch: 1 }));
await writeManifest(dir, {
  format: 'edgewise-manifest',
  version: 1,
  name: 'bench-8mb',
  latest: '1.0.0',
  revoked: [],
  versions: { '1.0.0': { engine: 'onnx', entry: 'model.onnx', files: await describeFiles(dir, ['model.onnx']) } },
});

const { server, url } = await serveRepo();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
let results: Record<string, { bytes: number; coldMs: number; warmMs: number; memoryMs: number; manifestMs: number }>;
try {
  const page = await browser.newPage();
  await page.goto(`${url}/bench/store.html`);
  results = (await (await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, null, { timeout: 300_000 })).jsonValue()) as typeof results;
} finally {
  await browser.close();
  await server.close();
}
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name} (${(r.bytes / 1e6).toFixed(2)} MB): cold ${fmt(r.coldMs)}, warm from IndexedDB ${fmt(r.warmMs)}, from memory ${fmt(r.memoryMs)} (manifest request alone ${fmt(r.manifestMs)}); warm/memory ${(r.warmMs / r.memoryMs).toFixed(2)}x, cold/warm ${(r.coldMs / r.warmMs).toFixed(2)}x`,
  );
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/store-browser.json', import.meta.url)), JSON.stringify(results, null, 2));
