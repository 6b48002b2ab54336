/**
 * Where the windowed monitor's time goes, per MNIST int8 run through the SDK: runs a monitored and
 * an unmonitored model back to back (alternating, same digits) and prints the CPU time per run of
 * each and their difference. Under `node --cpu-prof` the profile shows the monitor's own functions.
 *
 * Run: npx tsx --conditions=@edgewise/source bench/monitor-profile.ts [runs]
 */
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
const runs = Number(process.argv[2] ?? 20_000);
const { test } = loadMnist();
const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
const runtime = createNodeRuntime();
const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1 };
const plain = await runtime.loadModel({ ...options, monitor: false });
const watched = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES } });
type Model = typeof plain;

async function cpuPerRun(model: Model, n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await model.run({ input: tensor('float32', images[i % images.length]!.slice(), [1, 784]) });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n; // µs
}

for (let i = 0; i < 2000; i++) {
  await cpuPerRun(plain, 1);
  await cpuPerRun(watched, 1);
}
const rounds = 10;
const plainUs: number[] = [];
const watchedUs: number[] = [];
for (let r = 0; r < rounds; r++) {
  plainUs.push(await cpuPerRun(plain, runs / rounds));
  watchedUs.push(await cpuPerRun(watched, runs / rounds));
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const [p, w] = [median(plainUs), median(watchedUs)];
console.log(`CPU per run (median of ${rounds} rounds of ${runs / rounds}): unmonitored ${p.toFixed(1)} µs, monitored ${w.toFixed(1)} µs: monitor ${(w - p).toFixed(1)} µs = ${(((w - p) / p) * 100).toFixed(2)} %`);
await Promise.all([plain.dispose(), watched.dispose()]);
