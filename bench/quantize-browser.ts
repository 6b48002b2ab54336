/**
 * fp32 vs int8 MNIST in headless Chromium (ORT WASM, 1 and 2 threads).
 * Run: npm run bench:quantize:browser   (writes bench/results/quantize-browser.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.js';
import { serveRepo } from './serve.js';
import { fmt } from './stats.js';

type Variant = { bytes: number; batch1: { median: number }; batch32: { median: number } };
const { server, url } = await serveRepo();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const results: Record<string, Record<string, Variant>> = {};
try {
  for (const threads of [1, 2]) {
    const page = await browser.newPage();
    await page.goto(`${url}/bench/quantize.html?threads=${threads}`);
    results[`${threads}`] = (await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, null, { timeout: 300_000 }).then((h) =>
      h.jsonValue(),
    )) as Record<string, Variant>;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`MNIST 784-512-512-10, onnxruntime-web WASM in ${(results['1'] as unknown as { userAgent: string }).userAgent.match(/Chrome\/[\d.]+/)?.[0]}`);
for (const [threads, r] of Object.entries(results)) {
  const [f, q] = [r['model.onnx']!, r['model-int8.onnx']!];
  console.log(`${threads} thread(s): batch 1 fp32 ${fmt(f.batch1.median)} int8 ${fmt(q.batch1.median)} (${(f.batch1.median / q.batch1.median).toFixed(2)}x); batch 32 fp32 ${fmt(f.batch32.median)} int8 ${fmt(q.batch32.median)} (${(f.batch32.median / q.batch32.median).toFixed(2)}x); size ratio ${(q.bytes / f.bytes).toFixed(3)}`);
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/quantize-browser.json', import.meta.url)), JSON.stringify(results, null, 2));
