/**
 * What a shadow candidate costs the caller: the same digit goes through the SDK's MNIST int8 model
 * loaded without a shadow and through one with an fp32 shadow on every run (sample 1), in
 * alternating order; reported is the median paired difference of run()'s own latency, with a
 * bootstrap 95% CI, in two regimes:
 *  - paced: a short pause after each pair, as an interactive app calls a model (the candidate runs
 *    in that idle time) — the promise is that the caller sees no difference;
 *  - back to back: the next run() is called at once, so the candidate competes for the same thread
 *    and the caller does pay for it (reported so the limit is known, not hidden);
 *  - cache control, no shadow at all: the same paced runs of the plain model, each preceded or not
 *    by a read of as many bytes as the candidate's file (fp32 weights) in the idle time. What that
 *    costs the next run is what evicting the active model's weights from the core's caches costs,
 *    whatever does it: the part of the paced figure that no scheduling in the SDK can remove.
 *
 * Run: npm run bench:drift   (this part: npx tsx --conditions=@edgewise/source bench/shadow-latency.ts)
 */
import { statSync } from 'node:fs';
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
  // Cache control: the candidate's bytes swept through this core between paced plain runs.
  const sweep = new Float32Array(statSync(`${dir}model.onnx`).size / 4).map((_, i) => i % 7);
  let sink = 0;
  const cacheControl = await (async () => {
    const base: number[] = [];
    const delta: number[] = [];
    for (let i = 0; i < 200 + pairs; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      const got: Record<string, number> = {};
      for (const swept of order) {
        await sleep(pauseMs);
        if (swept) for (let j = 0; j < sweep.length; j += 16) sink += sweep[j]!; // one read per 64-byte line
        got[String(swept)] = await once(plain, i);
      }
      if (i < 200) continue;
      base.push(got.false!);
      delta.push(got.true! - got.false!);
    }
    const [lo, hi] = bootstrapMedianCi(delta);
    const runMedian = median(base);
    const d = median(delta);
    return { runMedianMs: runMedian, deltaMedianMs: d, deltaCi95Ms: [lo, hi], share: d / runMedian, sweptBytes: sweep.byteLength, sink };
  })();
  console.log(
    `cache control (no shadow): a paced plain run after ${(cacheControl.sweptBytes / 1e6).toFixed(2)} MB were read in the idle time, ${pairs} pairs: run median ${fmt(cacheControl.runMedianMs)}; ` +
      `the read adds ${fmt(cacheControl.deltaMedianMs)} median [95% CI ${fmt(cacheControl.deltaCi95Ms[0]!)} … ${fmt(cacheControl.deltaCi95Ms[1]!)}] = ${(cacheControl.share * 100).toFixed(2)}%`,
  );
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
  return { paced, backToBack, cacheControl, pauseMs, shadow: health.shadow };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShadowLatency();
