/**
 * fp32 vs int8 MNIST on onnxruntime-web's WASM backend in Node, at 1 and 2 threads: latency (batch 1
 * and batch 32), model size, test accuracy. Each thread count runs in its own process, because ORT
 * reads numThreads once per process.
 *
 * Run: npm run bench:quantize   (writes bench/results/quantize-node.json)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { fmt, timeRuns } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));

async function measure(threads: number) {
  ort.env.wasm.numThreads = threads;
  const { test } = loadMnist();
  const out: Record<string, unknown> = {};
  for (const variant of ['model.onnx', 'model-int8.onnx']) {
    const bytes = readFileSync(dir + variant);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      const r = await session.run({ input: new ort.Tensor('float32', test.images.slice(i * 784, (i + 1) * 784), [1, 784]) });
      const p = Array.from(r.probabilities!.data as Float32Array);
      if (p.indexOf(Math.max(...p)) === test.labels[i]) correct++;
    }
    const one = new ort.Tensor('float32', test.images.slice(0, 784), [1, 784]);
    const batch = new ort.Tensor('float32', test.images.slice(0, 784 * 32), [32, 784]);
    const single = await timeRuns(300, 30, () => session.run({ input: one }));
    const batched = await timeRuns(100, 10, () => session.run({ input: batch }));
    out[variant] = { bytes: bytes.byteLength, accuracy: correct / test.count, batch1: single, batch32: batched };
    await session.release();
  }
  return out;
}

if (process.env.BENCH_THREADS) {
  console.log(JSON.stringify(await measure(Number(process.env.BENCH_THREADS))));
} else {
  const results: Record<string, Record<string, { bytes: number; accuracy: number; batch1: { median: number }; batch32: { median: number } }>> = {};
  for (const threads of [1, 2]) {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_THREADS: String(threads) } });
    results[`${threads} thread${threads > 1 ? 's' : ''}`] = JSON.parse(stdout.toString().trim().split('\n').pop()!);
  }
  console.log('MNIST 784-512-512-10, onnxruntime-web WASM in Node', process.version);
  for (const [threads, r] of Object.entries(results)) {
    const [f, q] = [r['model.onnx']!, r['model-int8.onnx']!];
    console.log(`\n${threads}`);
    console.log(`  size      fp32 ${f.bytes} B   int8 ${q.bytes} B   ratio ${(q.bytes / f.bytes).toFixed(3)}`);
    console.log(`  accuracy  fp32 ${(f.accuracy * 100).toFixed(2)}%   int8 ${(q.accuracy * 100).toFixed(2)}%`);
    console.log(`  batch 1   fp32 ${fmt(f.batch1.median)}   int8 ${fmt(q.batch1.median)}   speed-up ${(f.batch1.median / q.batch1.median).toFixed(2)}x`);
    console.log(`  batch 32  fp32 ${fmt(f.batch32.median)}   int8 ${fmt(q.batch32.median)}   speed-up ${(f.batch32.median / q.batch32.median).toFixed(2)}x`);
  }
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(fileURLToPath(new URL('./results/quantize-node.json', import.meta.url)), JSON.stringify(results, null, 2));
}
