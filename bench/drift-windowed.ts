/**
 * The windowed monitor's cost per inference, paired against the SDK's own MNIST int8 run: the same
 * digit goes through a model loaded with `monitor: false` and one with the default (windowed)
 * monitor, in alternating order, so machine noise hits both alike. Reported: the median
 * unmonitored run, the median paired difference with a bootstrap 95% CI, and their ratio
 * (target ≤ 2%). On this VM the share moves between 1.3 % and 4.2 % from one process to the next
 * (the run itself between 0.2 and 0.4 ms: noisy neighbours, where the loaded sessions land), far
 * more than any one round's interval admits, so the back-to-back regime runs in `rounds` rounds,
 * each on a freshly loaded pair of models, and the headline is the median round with the range.
 * Also: the windowed monitor's record() beside a single ModelMonitor's.
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
import { bootstrapMeanCi, bootstrapMedianCi, fmt, mean, median, timeRuns } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
export async function benchWindowed(pairs = 1500, rounds = 5): Promise<Record<string, unknown>> {
  const { test } = loadMnist();
  const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
  const runtime = createNodeRuntime();
  const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1 };
  type Model = Awaited<ReturnType<typeof runtime.loadModel>>;
  let plain!: Model;
  let watched!: Model;
  const loadPair = async () => {
    await plain?.dispose();
    await watched?.dispose();
    plain = await runtime.loadModel({ ...options, monitor: false });
    watched = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES } });
    for (let i = 0; i < 300; i++) await Promise.all([once(plain, i), once(watched, i)].map((p) => p));
  };
  const once = async (model: Model, i: number) => {
    const t = performance.now();
    await model.run({ input: tensor('float32', images[i % images.length]!.slice(), [1, 784]) });
    return performance.now() - t;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Paired runs, alternating which goes first; `pauseMs` of idle time after each run, or none. */
  const regime = async (pauseMs: number, count: number) => {
    const base: number[] = [];
    const delta: number[] = [];
    for (let i = 0; i < count; i++) {
      // Alternate which goes first: a warm cache or a timer tick then favours neither.
      const order = i % 2 ? [plain, watched] : [watched, plain];
      const t: number[] = [];
      for (const model of order) {
        t.push(await once(model, i));
        if (pauseMs) await sleep(pauseMs);
      }
      const [unmonitored, monitored] = i % 2 ? [t[0]!, t[1]!] : [t[1]!, t[0]!];
      base.push(unmonitored);
      delta.push(monitored - unmonitored);
    }
    const runMedian = median(base);
    return { runMedian, median: median(delta), medianCi: bootstrapMedianCi(delta), mean: mean(delta), meanCi: bootstrapMeanCi(delta) };
  };
  const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(2)}%`;
  const line = (name: string, r: Awaited<ReturnType<typeof regime>>, n: number) =>
    console.log(
      `windowed monitor vs SDK MNIST int8 run (wasm, 1 thread), ${name}, ${n} pairs: run median ${fmt(r.runMedian)}; ` +
        `on the caller's path (median) ${fmt(r.median)} [95% CI ${fmt(r.medianCi[0])} … ${fmt(r.medianCi[1])}] = ${pct(r.median, r.runMedian)} ` +
        `[${pct(r.medianCi[0], r.runMedian)} … ${pct(r.medianCi[1], r.runMedian)}] (target ≤ 2%); ` +
        `per run on average (mean, batches included) ${fmt(r.mean)} [${fmt(r.meanCi[0])} … ${fmt(r.meanCi[1])}] = ${pct(r.mean, r.runMedian)}`,
    );
  const busyRounds: Array<Awaited<ReturnType<typeof regime>>> = [];
  for (let round = 0; round < rounds; round++) {
    await loadPair();
    const r = await regime(0, pairs);
    busyRounds.push(r);
    line(`back to back, round ${round + 1}/${rounds}`, r, pairs);
  }
  const shares = busyRounds.map((r) => r.median / r.runMedian).sort((a, b) => a - b);
  const meanShares = busyRounds.map((r) => r.mean / r.runMedian).sort((a, b) => a - b);
  const middle = <T,>(xs: T[]) => xs[xs.length >> 1]!;
  const busy = busyRounds.slice().sort((a, b) => a.median / a.runMedian - b.median / b.runMedian)[rounds >> 1]!;
  console.log(
    `→ caller's path, median of ${rounds} rounds: ${(middle(shares) * 100).toFixed(2)}% (rounds ${shares.map((x) => (x * 100).toFixed(2)).join(', ')}%; target ≤ 2%); ` +
      `mean per run incl. batches: ${(middle(meanShares) * 100).toFixed(2)}% (${meanShares.map((x) => (x * 100).toFixed(2)).join(', ')}%)`,
  );
  const paced = await regime(2, Math.round(pairs / 2));
  line('paced (2 ms idle after each run)', paced, Math.round(pairs / 2));
  const runMedian = busy.runMedian;
  const deltaMedian = busy.median;
  const [lo, hi] = busy.medianCi;
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
    roundShares: shares,
    meanShare: busy.mean / runMedian,
    paced: { runMedianMs: paced.runMedian, deltaMedianMs: paced.median, deltaMeanMs: paced.mean, share: paced.median / paced.runMedian },
    recordMedianMs: { single: singleCost.median, windowed: windowedCost.median },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWindowed();
