import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tinyMlp = new URL('../../models/generated/tiny-mlp/', import.meta.url).pathname;

/** Heap growth per run over many runs, after full collections: a leak shows up as bytes per call. */
async function bytesPerRun(model: Model, runs: number): Promise<number> {
  const name = model.inputs[0]!.name;
  const call = () => model.run({ [name]: tensor('float32', new Float32Array(16).fill(0.5), [1, 16]) });
  for (let i = 0; i < 2000; i++) await call(); // warm: JIT, sketches' first levels, pools
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < runs; i++) await call();
  gc();
  return (process.memoryUsage().heapUsed - before) / runs;
}

describe('long-running models do not leak per run', () => {
  // ONNX once leaked ~650 B per run (each run raced a never-settling device-lost promise, leaving a
  // reaction on it); a VAD at 31 frames/s would have grown by ~1.7 GB a day.
  it.each([
    ['onnx', `${tinyMlp}model.onnx`, {}],
    ['onnx', `${tinyMlp}model.onnx`, { monitor: false as const }],
    ['tfjs', `${tinyMlp}tfjs/model.json`, {}],
  ])('%s %s %o: < 50 bytes per run over 20,000 runs', async (engine, source, extra) => {
    const model = await createNodeRuntime().loadModel({ source, engine, ...extra });
    const growth = await bytesPerRun(model, 20_000);
    expect(growth).toBeLessThan(50);
    await model.dispose();
  }, 60_000);
});
