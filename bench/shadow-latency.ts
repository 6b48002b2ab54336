/**
 * What a shadow candidate costs the caller. An app calls one model now and then; with a shadow,
 * the candidate runs in the idle time after each call. So setups are compared the way an app would
 * see them: paced runs (a short pause after each) in blocks of BLOCK runs of one setup, blocks of the
 * two setups alternating (AB, BA, …); the first run of a block, which follows the other setup's
 * block, is not counted; each block pair gives one difference of medians, with a bootstrap 95% CI:
 *  - shadow: MNIST int8 with an fp32 shadow on every run (sample 1) against the same model without;
 *  - bookkeeping: the shadow configured but never sampled (sample 0): what offer() itself costs;
 *  - cache control, no shadow at all: the plain model with as many bytes as the candidate's file
 *    (fp32 weights) read in the idle time after each run. What that costs the next run is what
 *    evicting the active model's working set from the core's caches costs, whatever does it: the
 *    part of the shadow's figure that no scheduling on the same thread can remove;
 *  - back to back (no pause): the candidate competes for the thread; sampled runs beyond
 *    maxPending are dropped. Reported so the limit is known.
 * (An earlier version alternated single runs, so the plain model often ran right after itself
 * while the shadowed one never did: a cache bias in the plain model's favour.)
 *
 * Run: npm run bench:drift   (this part: npx tsx --conditions=@edgewise/source bench/shadow-latency.ts)
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { bootstrapMedianCi, fmt, median } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BLOCK = 4;

interface Setup {
  model: Model;
  /** Work done in the idle time after each run (the cache control's sweep). */
  idle?: () => void;
}

interface Comparison {
  runMedianMs: number;
  deltaMedianMs: number;
  deltaCi95Ms: [number, number];
  share: number;
}

export async function benchShadowLatency(blockPairs = 400, pauseMs = 3): Promise<Record<string, unknown>> {
  const { test } = loadMnist();
  const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
  const runtime = createNodeRuntime();
  const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1, monitor: { baseline: `${dir}baseline.json`, features: MNIST_FEATURES } };
  const plain = await runtime.loadModel(options);
  const shadowed = await runtime.loadModel({ ...options, shadow: { source: `${dir}model.onnx`, sample: 1 } });
  const unsampled = await runtime.loadModel({ ...options, shadow: { source: `${dir}model.onnx`, sample: 0 } });
  let next = 0;
  const once = async (model: Model) => {
    const input = tensor('float32', images[next++ % images.length]!.slice(), [1, 784]);
    const t = performance.now();
    await model.run({ input });
    return performance.now() - t;
  };
  /** Block pairs of two setups, paced (or not); differences of block medians, b − a. */
  const compare = async (a: Setup, b: Setup, paced = true): Promise<Comparison> => {
    const block = async (setup: Setup) => {
      const times: number[] = [];
      for (let i = 0; i < BLOCK; i++) {
        times.push(await once(setup.model));
        setup.idle?.();
        if (paced) await sleep(pauseMs);
      }
      return median(times.slice(1));
    };
    const base: number[] = [];
    const delta: number[] = [];
    for (let i = 0; i < 25 + blockPairs; i++) {
      let ta: number;
      let tb: number;
      if (i % 2 === 0) {
        ta = await block(a);
        tb = await block(b);
      } else {
        tb = await block(b);
        ta = await block(a);
      }
      if (i < 25) continue; // warm-up
      base.push(ta);
      delta.push(tb - ta);
    }
    const [lo, hi] = bootstrapMedianCi(delta);
    const runMedian = median(base);
    const d = median(delta);
    return { runMedianMs: runMedian, deltaMedianMs: d, deltaCi95Ms: [lo, hi], share: d / runMedian };
  };
  // The candidate's bytes swept through this core, one read per 64-byte line.
  const sweep = new Float32Array(statSync(`${dir}model.onnx`).size / 4).map((_, i) => i % 7);
  let sink = 0;
  const swept = () => {
    for (let j = 0; j < sweep.length; j += 16) sink += sweep[j]!;
  };

  const results: Record<string, Comparison> = {
    [`shadow, paced (${pauseMs} ms idle after each run)`]: await compare({ model: plain }, { model: shadowed }),
    ['bookkeeping: shadow at sample 0, paced']: await compare({ model: plain }, { model: unsampled }),
    [`cache control: no shadow, ${(sweep.byteLength / 1e6).toFixed(2)} MB read in the idle time, paced`]: await compare({ model: plain }, { model: plain, idle: swept }),
    ['shadow, back to back']: await compare({ model: plain }, { model: shadowed }, false),
  };
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name}, ${blockPairs} block pairs of ${BLOCK} runs: run median ${fmt(r.runMedianMs)}; ` +
        `adds ${fmt(r.deltaMedianMs)} median [95% CI ${fmt(r.deltaCi95Ms[0])} … ${fmt(r.deltaCi95Ms[1])}] = ${(r.share * 100).toFixed(2)}%`,
    );
  }
  const health = (await shadowed.health()) as { shadow?: unknown };
  console.log(`shadow runs counted: ${JSON.stringify(health.shadow ?? {})} (sink ${sink > 0})`);
  await plain.dispose();
  await shadowed.dispose();
  await unsampled.dispose();
  return { ...results, pauseMs, block: BLOCK, shadow: health.shadow };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShadowLatency();
