/**
 * What a shadow candidate costs the caller: the same digit goes through the SDK's MNIST int8 model
 * loaded without a shadow and through one with an fp32 shadow on every run (sample 1), in
 * alternating order; reported is the median paired difference of run()'s own latency, with a
 * bootstrap 95% CI, in two regimes:
 *  - paced: a short pause after each pair, as an interactive app calls a model (the candidate runs
 *    in that idle time) — the promise is that the caller sees no difference;
 *  - back to back: the next run() is called at once, so the candidate competes for the same thread
 *    and the caller does pay for it (reported so the limit is known, not hidden).
 *
 * Run: npm run bench:drift   (this part: npx tsx --conditions=@edgewise/source bench/shadow-latency.ts)
 */
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { bootstrapMedianCi, fmt, median } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchShadowLatency(pairs = 1500, pauseMs = 3): Promise<Record<string, unknown>> {
  const { test } = loadMnist();
  const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
  const runtime = createNodeRuntime();
  const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1, monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES } };
  const plain = await runtime.loadModel(options);
  const shadowed = await runtime.loadModel({ ...options, shadow: { source: `${dir}model.onnx`, sample: 1 } });
  const once = async (model: typeof plain, i: number) => {
    const t = performance.now();
    await model.run({ input: tensor('float32', images[i % images.length]!.slice(), [1, 784]) });
    return performance.now() - t;
  };
  const regime = async (paced: boolean) => {
    const base: number[] = [];
    const delta: number[] = [];
    for (let i = 0; i < 200 + pairs; i++) {
      // Alternate which goes first, so neither always follows the other's leftovers.
      const first = i % 2 === 0 ? plain : shadowed;
      const a = await once(first, i);
      if (paced) await sleep(pauseMs);
      const b = await once(first === plain ? shadowed : plain, i);
      if (paced) await sleep(pauseMs);
      const [p, s] = first === plain ? [a, b] : [b, a];
      if (i < 200) continue; // warm-up
      base.push(p);
      delta.push(s - p);
    }
    const [lo, hi] = bootstrapMedianCi(delta);
    const runMedian = median(base);
    const d = median(delta);
    return { runMedianMs: runMedian, deltaMedianMs: d, deltaCi95Ms: [lo, hi], share: d / runMedian };
  };
  const paced = await regime(true);
  const backToBack = await regime(false);
  const health = (await shadowed.health()) as { shadow?: unknown };
  for (const [name, r] of [[`paced (${pauseMs} ms idle between runs)`, paced], ['back to back', backToBack]] as const) {
    console.log(
      `shadow fp32 on every run, caller's run() latency, ${name}, ${pairs} pairs: run median ${fmt(r.runMedianMs)}; ` +
        `shadow adds ${fmt(r.deltaMedianMs)} median [95% CI ${fmt(r.deltaCi95Ms[0]!)} … ${fmt(r.deltaCi95Ms[1]!)}] = ${(r.share * 100).toFixed(2)}%`,
    );
  }
  console.log(`shadow runs counted: ${JSON.stringify(health.shadow ?? {})}`);
  await plain.dispose();
  await shadowed.dispose();
  return { paced, backToBack, pauseMs, shadow: health.shadow };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShadowLatency();
