/**
 * fp32 vs dynamic int8 vs static int8 (QDQ, calibrated) on onnxruntime-web's WASM backend in Node,
 * for the MNIST MLP and the MNIST CNN: size, accuracy and top-1 agreement with fp32 on the MNIST test
 * split, speed at batch 1 and 32 from interleaved paired rounds with 95 % intervals. Each thread
 * count runs in its own process, because ORT reads numThreads once per process.
 *
 * Run: npm run models && flock /tmp/edgewise-heavy.lock npm run bench:quantize
 *      (writes bench/results/quantize-node.json; BENCH_ROUNDS=40 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { QUANTIZE_MODELS, type ModelResult, measureModel, summarizeModel } from './quantize-measure.js';

const generated = fileURLToPath(new URL('../models/generated/', import.meta.url));
const read = (path: string) => new Uint8Array(readFileSync(generated + path));

async function measure(threads: number): Promise<Record<string, ModelResult>> {
  ort.env.wasm.numThreads = threads;
  const { test } = loadMnist();
  const out: Record<string, ModelResult> = {};
  for (const [name, files] of Object.entries(QUANTIZE_MODELS)) {
    const variants = Object.fromEntries(Object.entries(files).map(([v, f]) => [v, read(f)]));
    out[name] = await measureModel(variants, test, Number(process.env.BENCH_ROUNDS ?? 40));
  }
  return out;
}

if (process.env.BENCH_THREADS) {
  console.log(JSON.stringify(await measure(Number(process.env.BENCH_THREADS))));
} else {
  const results: Record<string, Record<string, ModelResult>> = {};
  for (const threads of [1, 2]) {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@edgewise/source', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_THREADS: String(threads) }, maxBuffer: 64 << 20 });
    results[`${threads}`] = JSON.parse(stdout.toString().trim().split('\n').pop()!);
  }
  console.log(`onnxruntime-web ${ort.env.versions.web} WASM in Node ${process.version}, graphOptimizationLevel 'all'; MNIST test split (${loadMnist().test.count} images)`);
  for (const [threads, models] of Object.entries(results)) {
    console.log(`\n${threads} thread${threads === '1' ? '' : 's'}`);
    for (const [name, r] of Object.entries(models)) console.log(summarizeModel(name, r).join('\n'));
  }
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(fileURLToPath(new URL('./results/quantize-node.json', import.meta.url)), JSON.stringify(results, null, 2));
}
