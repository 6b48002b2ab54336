/**
 * fp32 vs dynamic vs static int8 in headless Chromium (ORT WASM, 1 and 2 threads), measured in the
 * page exactly as in Node (bench/quantize-measure.ts): accuracy and top-1 agreement on the MNIST
 * test split, speed at batch 1 and 32 from interleaved paired rounds with 95 % intervals.
 *
 * Run: npm run models && flock /tmp/edgewise-heavy.lock npm run bench:quantize:browser
 *      (writes bench/results/quantize-browser.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.js';
import { type ModelResult, summarizeModel } from './quantize-measure.js';
import { serveRepo } from './serve.js';

type PageResult = { threads: number; userAgent: string; ortVersion: string; crossOriginIsolated: boolean; models: Record<string, ModelResult> };
// The page reads the test split as raw files: float32 images and uint8 labels, beside the models.
const { test } = loadMnist();
const mnistDir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
writeFileSync(`${mnistDir}test-images.bin`, new Uint8Array(test.images.buffer, test.images.byteOffset, test.images.byteLength));
writeFileSync(`${mnistDir}test-labels.bin`, test.labels);

const { server, url } = await serveRepo();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const results: Record<string, PageResult> = {};
try {
  for (const threads of [1, 2]) {
    const page = await browser.newPage();
    await page.goto(`${url}/bench/quantize.html?threads=${threads}&rounds=${process.env.BENCH_ROUNDS ?? 40}`);
    const handle = await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, null, { timeout: 600_000 });
    results[`${threads}`] = (await handle.jsonValue()) as PageResult;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const first = results['1']!;
console.log(`onnxruntime-web ${first.ortVersion} WASM in ${first.userAgent.match(/Chrome\/[\d.]+/)?.[0]}, crossOriginIsolated ${first.crossOriginIsolated}; MNIST test split (${test.count} images)`);
for (const [threads, r] of Object.entries(results)) {
  console.log(`\n${threads} thread${threads === '1' ? '' : 's'}`);
  for (const [name, m] of Object.entries(r.models)) console.log(summarizeModel(name, m).join('\n'));
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/quantize-browser.json', import.meta.url)), JSON.stringify(results, null, 2));
