/**
 * Why int8 does not pay at batch 1 on ORT WASM: one 784×512 layer as fp32 MatMul vs MatMulInteger
 * (uint8 × int8, the kernel QGemm/QLinearMatMul also use) at M = 1, 2, 4, 8, 16 rows, interleaved
 * rounds, IQM per run with the int8 ÷ fp32 ratio [95 % CI].
 *
 * Run: flock /tmp/edgewise-heavy.lock npx tsx --conditions=@edgewise/source bench/quantize-kernel.ts
 */
import * as ort from 'onnxruntime-web';
import { encodeModel, initializer, node } from '@edgewise/model-tools';
import { comparePaired } from '@edgewise/model-tools/paired-stats';

ort.env.wasm.numThreads = 1;
const [K, N] = [784, 512];
const weights = Float32Array.from({ length: K * N }, (_, i) => Math.sin(i * 12.9898) * 0.1);
const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const fp32 = await session(encodeModel({
  name: 'fp32',
  inputs: [{ name: 'x', elemType: 'float32', dims: ['m', K] }],
  outputs: [{ name: 'y', elemType: 'float32', dims: ['m', N] }],
  initializers: [initializer('W', 'float32', weights, [K, N])],
  nodes: [node('MatMul', ['x', 'W'], ['y'])],
}));
const int8 = await session(encodeModel({
  name: 'int8',
  inputs: [{ name: 'x', elemType: 'uint8', dims: ['m', K] }],
  outputs: [{ name: 'y', elemType: 'int32', dims: ['m', N] }],
  initializers: [initializer('W', 'int8', Int8Array.from(weights, (w) => Math.round(w * 1270)), [K, N])],
  nodes: [node('MatMulInteger', ['x', 'W'], ['y'])],
}));
console.log(`784×512 layer, onnxruntime-web ${ort.env.versions.web} WASM in Node ${process.version}, 1 thread`);
for (const m of [1, 2, 4, 8, 16]) {
  const xf = { x: new ort.Tensor('float32', weights.slice(0, K * m), [m, K]) };
  const xq = { x: new ort.Tensor('uint8', Uint8Array.from({ length: K * m }, (_, i) => i % 251), [m, K]) };
  const tf: number[] = [];
  const tq: number[] = [];
  const time = async (s: ort.InferenceSession, feeds: Record<string, ort.Tensor>, reps = 20) => {
    const t = performance.now();
    for (let i = 0; i < reps; i++) await s.run(feeds);
    return (performance.now() - t) / reps;
  };
  await time(fp32, xf);
  await time(int8, xq);
  for (let round = 0; round < 30; round++) {
    if (round % 2) tq.push(await time(int8, xq)), tf.push(await time(fp32, xf));
    else tf.push(await time(fp32, xf)), tq.push(await time(int8, xq));
  }
  const c = comparePaired(tq, tf);
  console.log(`M=${String(m).padEnd(2)} fp32 ${(c.baselineIqmMs * 1000).toFixed(1)} µs  int8 ${(c.measuredIqmMs * 1000).toFixed(1)} µs  int8/fp32 ×${c.ratio.value.toFixed(2)} [${c.ratio.lo.toFixed(2)}–${c.ratio.hi.toFixed(2)}]`);
}
