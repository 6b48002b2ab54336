/**
 * Sketch costs: updates per second on one core, bytes per feature, and the monitor's cost as a
 * share of one MNIST inference (targets ≤ 2 %, issue 20 ≤ 1 %). The headline is the monitor's
 * whole CPU per run through the SDK (monitor-profile.ts: paired blocks, batches included); the
 * isolated figures before it are warm loops, and the windowed bench after it times the caller's path.
 *
 * Run: npm run bench:drift   (writes bench/results/drift-node.json)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ByteWriter, CategoricalSketch, ModelMonitor, NumericSketch, parseBaseline } from '@edgewise/drift';
import * as ort from 'onnxruntime-web';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { fmt, timeRuns } from './stats.js';

ort.env.wasm.numThreads = 1;
const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));
const results: Record<string, unknown> = {};

// 1. Raw update throughput, one core.
const values = Float64Array.from({ length: 2_000_000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
const edges = Array.from({ length: 9 }, (_, i) => (i + 1) / 10);
for (const [label, make] of [
  ['numeric (KLL k=400 + 10 fixed bins + range)', () => new NumericSketch(edges, [0, 1])],
  ['numeric (KLL k=400 only)', () => new NumericSketch()],
] as const) {
  const sketch = make();
  const t = performance.now();
  for (let i = 0; i < values.length; i++) sketch.update(values[i]!);
  const seconds = (performance.now() - t) / 1000;
  const w = new ByteWriter();
  sketch.write(w);
  results[label] = { updatesPerSecond: values.length / seconds, bytes: w.finish().byteLength, retained: sketch.kll.retained };
  console.log(`${label}: ${(values.length / seconds / 1e6).toFixed(1)} M updates/s/core, ${w.finish().byteLength} bytes after ${values.length} values`);
}
const cat = new CategoricalSketch(64);
const t = performance.now();
for (let i = 0; i < 2_000_000; i++) cat.update(i % 10);
const catRate = 2_000_000 / ((performance.now() - t) / 1000);
const cw = new ByteWriter();
cat.write(cw);
results['categorical (10 classes)'] = { updatesPerSecond: catRate, bytes: cw.finish().byteLength };
console.log(`categorical (10 classes): ${(catRate / 1e6).toFixed(1)} M updates/s/core, ${cw.finish().byteLength} bytes`);

// 2. Monitor overhead vs one MNIST inference (batch 1, WASM, 1 thread).
const { test } = loadMnist();
const baseline = parseBaseline(JSON.parse(readFileSync(dir + 'baseline.json', 'utf8')));
const monitor = new ModelMonitor({ baseline, features: MNIST_FEATURES });
const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
let k = 0;
const probs = { data: new Float32Array(10).fill(0.1), dims: [1, 10] };
const monitorCost = await timeRuns(20000, 2000, () => {
  const input = { input: { data: images[k++ % images.length]!, dims: [1, 784] } };
  monitor.record(monitor.inspect(input), { probabilities: probs }, 0.2, 'wasm');
});
// Breakdown: feature extraction (inspect) vs sketch updates (record).
const inspections = images.map((data) => monitor.inspect({ input: { data, dims: [1, 784] } }));
const inspectCost = await timeRuns(20000, 2000, () => monitor.inspect({ input: { data: images[k++ % images.length]!, dims: [1, 784] } }));
const recordCost = await timeRuns(20000, 2000, () => monitor.record(inspections[k++ % inspections.length]!, { probabilities: probs }, 0.2, 'wasm'));
const snapshotBytes = monitor.snapshot().byteLength;
for (const variant of ['model.onnx', 'model-int8.onnx']) {
  const session = await ort.InferenceSession.create(readFileSync(dir + variant), { executionProviders: ['wasm'] });
  let j = 0;
  const inference = await timeRuns(2000, 200, () => session.run({ input: new ort.Tensor('float32', images[j++ % images.length]!, [1, 784]) }));
  const share = monitorCost.mean / inference.mean;
  const pct = (x: number) => `${((x / inference.mean) * 100).toFixed(2)}%`;
  results[`monitor vs ${variant}`] = {
    monitorMeanMs: monitorCost.mean,
    featureExtractionMeanMs: inspectCost.mean,
    sketchUpdatesMeanMs: recordCost.mean,
    inferenceMeanMs: inference.mean,
    share,
  };
  console.log(
    `${variant}: inference ${fmt(inference.mean)}; monitor total ${fmt(monitorCost.mean)} = ${pct(monitorCost.mean)} ` +
      `(feature extraction, 5 reducers over 784 px: ${fmt(inspectCost.mean)} = ${pct(inspectCost.mean)}; sketch updates: ${fmt(recordCost.mean)} = ${pct(recordCost.mean)})`,
  );
}
results.snapshotBytes = snapshotBytes;
console.log(`monitor snapshot after ${monitor.counters.runs} runs: ${snapshotBytes} bytes (5 features + latency + confidence + classes)`);
// The headline figure: the monitor's whole CPU per run (batches included), paired blocks.
const { measureMonitorCpuInProcesses, describeMonitorCpuInProcesses } = await import('./monitor-profile.js');
const cpu = await measureMonitorCpuInProcesses(3, 100_000);
results['monitor CPU per SDK run (paired blocks, 3 processes)'] = cpu;
console.log(describeMonitorCpuInProcesses(cpu));
results['windowed monitor vs SDK run (paired)'] = await (await import('./drift-windowed.js')).benchWindowed();
results['shadow candidate vs caller latency (paired)'] = await (await import('./shadow-latency.js')).benchShadowLatency();
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/drift-node.json', import.meta.url)), JSON.stringify(results, null, 2));
