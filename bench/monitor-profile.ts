/**
 * The windowed monitor's CPU cost per MNIST int8 run through the SDK: a monitored and an
 * unmonitored model run the same digits in alternating blocks, and each block's process CPU per
 * run is paired with its neighbour's. Prints the median of the paired differences with a 95 %
 * bootstrap interval, as µs and as a share of the unmonitored run. Under `node --cpu-prof` the
 * profile shows the monitor's own functions.
 *
 * Blocks of the monitored model run alternately with the WebAssembly feature pass and with the
 * JavaScript one (what React Native's Hermes gets), so both costs come from the same minutes.
 *
 * Run: npx tsx --conditions=@edgewise/source bench/monitor-profile.ts [runs] [--features none]
 * (`--features none`: the monitor of outputs and latency only, to split the input features' share.)
 */
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { featurePassKernel, forceJsFeaturePass } from '../packages/drift/src/feature-pass.js';
import { bootstrapMedianCi, median } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 40_000);
const features = args.includes('--features') && args[args.indexOf('--features') + 1] === 'none' ? [] : MNIST_FEATURES;
const { test } = loadMnist();
const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
const runtime = createNodeRuntime();
const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1 };
const plain = await runtime.loadModel({ ...options, monitor: false });
const watched = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features } });
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
// Blocks of 320 runs (10 monitor batches), in an order that rotates: a slow spell of the machine
// lands on every member of a round alike.
const block = 320;
const rounds = Math.max(10, Math.round(runs / block / 3));
const kernel = featurePassKernel();
const plainUs: number[] = [];
const costs: Record<'wasm' | 'js', number[]> = { wasm: [], js: [] };
const configs = [
  () => cpuPerRun(plain, block),
  () => (forceJsFeaturePass(false), cpuPerRun(watched, block)),
  () => (forceJsFeaturePass(true), cpuPerRun(watched, block)),
];
for (let r = 0; r < rounds; r++) {
  const us: number[] = [];
  for (let i = 0; i < 3; i++) us[(r + i) % 3] = await configs[(r + i) % 3]!();
  plainUs.push(us[0]!);
  costs.wasm.push(us[1]! - us[0]!);
  costs.js.push(us[2]! - us[0]!);
}
forceJsFeaturePass(false);
const run = median(plainUs);
const pct = (x: number) => `${((x / run) * 100).toFixed(2)} %`;
console.log(`monitor (${features.length} input features) CPU per MNIST int8 run, ${rounds} rounds of ${block}-run blocks: unmonitored run ${run.toFixed(1)} µs`);
for (const [name, xs] of Object.entries(costs)) {
  if (name === 'wasm' && kernel !== 'wasm-simd') continue;
  const cost = median(xs);
  const [lo, hi] = bootstrapMedianCi(xs);
  console.log(`  feature pass ${name === 'wasm' ? 'WebAssembly SIMD' : 'JavaScript'}: monitor ${cost.toFixed(2)} µs [95% CI ${lo.toFixed(2)} … ${hi.toFixed(2)}] = ${pct(cost)} [${pct(lo)} … ${pct(hi)}] (target ≤ 2 %, issue 20: ≤ 1 %)`);
}
await Promise.all([plain.dispose(), watched.dispose()]);
