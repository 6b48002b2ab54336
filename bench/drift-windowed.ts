/**
 * The windowed monitor's cost per inference, paired against the SDK's own MNIST int8 run: the same
 * digit goes through a model loaded with `monitor: false` and one with the default (windowed)
 * monitor, in alternating order, so machine noise hits both alike. Reported: the median
 * unmonitored run, the median paired difference with a bootstrap 95% CI, and their ratio
 * (target ≤ 2%). Also: the windowed monitor's record() beside a single ModelMonitor's.
 *
 * Run: npm run bench:drift   (this part: npx tsx --conditions=@edgewise/source bench/drift-windowed.ts)
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { tensor } from '@edgewise/core';
import { ModelMonitor, WindowedMonitor, parseBaseline } from '@edgewise/drift';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { bootstrapMedianCi, fmt, median, timeRuns } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
export async function benchWindowed(pairs = 3000): Promise<Record<string, unknown>> {
  const { test } = loadMnist();
  const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
  const runtime = createNodeRuntime();
  const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1 };
  const plain = await runtime.loadModel({ ...options, monitor: false });
  const watched = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES } });
  const once = async (model: typeof plain, i: number) => {
    const t = performance.now();
    await model.run({ input: tensor('float32', images[i % images.length]!.slice(), [1, 784]) });
    return performance.now() - t;
  };
  for (let i = 0; i < 300; i++) await Promise.all([once(plain, i), once(watched, i)].map((p) => p));
  const base: number[] = [];
  const delta: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first: a warm cache or a timer tick then favours neither.
    const [a, b] = i % 2 ? [await once(plain, i), await once(watched, i)] : [0, 0];
    const [d, c] = i % 2 ? [0, 0] : [await once(watched, i), await once(plain, i)];
    const unmonitored = i % 2 ? a : c;
    const monitored = i % 2 ? b : d;
    base.push(unmonitored);
    delta.push(monitored - unmonitored);
  }
  const runMedian = median(base);
  const deltaMedian = median(delta);
  const [lo, hi] = bootstrapMedianCi(delta);
  console.log(
    `windowed monitor vs SDK MNIST int8 run (wasm, 1 thread, ${pairs} pairs): run median ${fmt(runMedian)}; ` +
      `monitor adds ${fmt(deltaMedian)} median [95% CI ${fmt(lo)} … ${fmt(hi)}] = ${((deltaMedian / runMedian) * 100).toFixed(2)}% ` +
      `[${((lo / runMedian) * 100).toFixed(2)}% … ${((hi / runMedian) * 100).toFixed(2)}%] (target ≤ 2%)`,
  );
  await plain.dispose();
  await watched.dispose();

  // record() alone: the windowed monitor updates two sets of sketches (cumulative + window).
  const baseline = parseBaseline(JSON.parse(readFileSync(`${dir}baseline.json`, 'utf8')));
  const probs = { probabilities: { data: new Float32Array(10).fill(0.1), dims: [1, 10] } };
  const single = new ModelMonitor({ baseline, features: MNIST_FEATURES });
  const windowed = new WindowedMonitor({ baseline, features: MNIST_FEATURES });
  const inspections = images.map((data) => single.inspect({ input: { data, dims: [1, 784] } }));
  let k = 0;
  const singleCost = await timeRuns(20000, 2000, () => single.record(inspections[k++ % inspections.length]!, probs, 0.2, 'wasm'));
  const windowedCost = await timeRuns(20000, 2000, () => windowed.record(inspections[k++ % inspections.length]!, probs, 0.2, 'wasm'));
  console.log(`record(): ModelMonitor ${fmt(singleCost.median)} median, WindowedMonitor ${fmt(windowedCost.median)} median (×${(windowedCost.median / singleCost.median).toFixed(2)})`);
  return {
    runMedianMs: runMedian,
    monitorDeltaMedianMs: deltaMedian,
    monitorDeltaCi95Ms: [lo, hi],
    share: deltaMedian / runMedian,
    recordMedianMs: { single: singleCost.median, windowed: windowedCost.median },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWindowed();
