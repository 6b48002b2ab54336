/**
 * The windowed monitor's CPU cost per MNIST int8 run through the SDK: an unmonitored model and a
 * monitored one run the same digits in blocks whose order rotates, and each block's process CPU
 * per run is paired with its round's unmonitored block. Prints the median of the paired
 * differences with a 95 % bootstrap interval, as µs and as a share of the unmonitored run.
 * A third monitored model has `cpuBudget: 0.01` (sketches a sample sized to 1 % of the run; env CPU_BUDGET sets another).
 * Blocks of the monitored model run alternately with the WebAssembly feature pass and with the
 * JavaScript one (what React Native's Hermes gets), so both costs come from the same minutes.
 * CPU, not wall time: the batches the monitor defers are in it wherever they land.
 *
 * Run: npx tsx --conditions=@edgewise/source bench/monitor-profile.ts [runs] [--features none] [--processes N]
 * (`--features none`: the monitor of outputs and latency only, to split the input features' share;
 * under `node --cpu-prof` the profile shows the monitor's own functions). `npm run bench:drift` runs it too.
 */
import { fileURLToPath } from 'node:url';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { loadMnist } from '../models/scripts/mnist-data.js';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { featurePassKernel, forceJsFeaturePass } from '../packages/drift/src/feature-pass.js';
import { bootstrapMedianCi, median } from './stats.js';

const dir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));

export interface MonitorCpuResult {
  rounds: number;
  blockRuns: number;
  features: number;
  unmonitoredRunUs: number;
  /** Per feature pass: the monitor's CPU per run, its interval, and the share of the unmonitored run. */
  passes: Record<string, { us: number; ci: [number, number]; share: number; shareCi: [number, number] }>;
  /** The budgeted monitor's sampling fraction at the end, and the share of its runs it sketched. */
  budgetedFraction: number;
  budgetedSketched: number;
}

/** The cpuBudget of the third monitored configuration (default 1 %; CPU_BUDGET=0.005 to try another, child processes inherit it). */
const BUDGET = Number(process.env.CPU_BUDGET ?? 0.01);
const BUDGETED = `WebAssembly SIMD, cpuBudget ${+(BUDGET * 100).toFixed(3)} %`;

export async function measureMonitorCpu(runs = 60_000, withFeatures = true): Promise<MonitorCpuResult> {
  const features = withFeatures ? MNIST_FEATURES : [];
  const { test } = loadMnist();
  const images = Array.from({ length: 256 }, (_, i) => test.images.slice(i * 784, (i + 1) * 784));
  const runtime = createNodeRuntime();
  const options = { source: `${dir}model-int8.onnx`, engine: 'onnx', backends: ['wasm' as const], numThreads: 1 };
  const plain = await runtime.loadModel({ ...options, monitor: false });
  const watched = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features } });
  // The same monitor told to keep to 1 % of the run by sketching a sample (monitor.cpuBudget).
  const budgeted = await runtime.loadModel({ ...options, monitor: { baseline: `${dir}baseline.json`, features, cpuBudget: BUDGET } });
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
    await cpuPerRun(budgeted, 1);
  }
  // Blocks of 320 runs (10 monitor batches): a slow spell of the machine lands on a whole round.
  const blockRuns = 320;
  const rounds = Math.max(10, Math.round(runs / blockRuns / 3));
  const plainUs: number[] = [];
  const costs: Record<string, number[]> = { 'WebAssembly SIMD': [], JavaScript: [], [BUDGETED]: [] };
  const configs = [
    () => cpuPerRun(plain, blockRuns),
    () => (forceJsFeaturePass(false), cpuPerRun(watched, blockRuns)),
    () => (forceJsFeaturePass(true), cpuPerRun(watched, blockRuns)),
    () => (forceJsFeaturePass(false), cpuPerRun(budgeted, blockRuns)),
  ];
  for (let r = 0; r < rounds; r++) {
    const us: number[] = [];
    for (let i = 0; i < configs.length; i++) us[(r + i) % configs.length] = await configs[(r + i) % configs.length]!();
    plainUs.push(us[0]!);
    costs['WebAssembly SIMD']!.push(us[1]! - us[0]!);
    costs.JavaScript!.push(us[2]! - us[0]!);
    costs[BUDGETED]!.push(us[3]! - us[0]!);
  }
  forceJsFeaturePass(false);
  const sampling = (await budgeted.health()).sampling!;
  await Promise.all([plain.dispose(), watched.dispose(), budgeted.dispose()]);
  const run = median(plainUs);
  const passes: MonitorCpuResult['passes'] = {};
  for (const [name, xs] of Object.entries(costs)) {
    if (name !== 'JavaScript' && featurePassKernel() !== 'wasm-simd') continue;
    const ci = bootstrapMedianCi(xs);
    const us = median(xs);
    passes[name] = { us, ci, share: us / run, shareCi: [ci[0] / run, ci[1] / run] };
  }
  return { rounds, blockRuns, features: features.length, unmonitoredRunUs: run, passes, budgetedFraction: sampling.fraction, budgetedSketched: sampling.sketched / (sampling.sketched + sampling.skipped) };
}

export function describeMonitorCpu(result: MonitorCpuResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  return [
    `monitor (${result.features} input features) CPU per MNIST int8 run through the SDK, ${result.rounds} rounds of ${result.blockRuns}-run blocks: unmonitored run ${result.unmonitoredRunUs.toFixed(1)} µs`,
    ...Object.entries(result.passes).map(
      ([name, p]) => `  feature pass ${name}: monitor ${p.us.toFixed(2)} µs [95% CI ${p.ci[0].toFixed(2)} … ${p.ci[1].toFixed(2)}] = ${pct(p.share)} [${pct(p.shareCi[0])} … ${pct(p.shareCi[1])}] (targets: ≤ 2 %, issue 20 ≤ 1 %)`,
    ),
    `  (${BUDGETED}: sketched ${pct(result.budgetedSketched)} of its runs; sampling fraction at the end ${result.budgetedFraction.toFixed(3)})`,
  ].join('\n');
}

/** One process's measurement, the rest of the line its JSON: how a child hands it to measureMonitorCpuInProcesses. */
const RESULT_LINE = 'monitor-cpu-result ';

/**
 * measureMonitorCpu in `processes` fresh Node processes, one after another. The figure moves more
 * between processes than its interval within one says (the same code measured 1.97–2.47 % of a
 * run in successive processes here: code layout, the engine's allocations, a shared VM), so the
 * headline is the median over processes, with each one's figure beside it.
 */
export async function measureMonitorCpuInProcesses(processes = 3, runs = 100_000, withFeatures = true): Promise<{ perProcess: MonitorCpuResult[]; medianShare: Record<string, number> }> {
  const { execFileSync } = await import('node:child_process');
  const perProcess: MonitorCpuResult[] = [];
  for (let i = 0; i < processes; i++) {
    // The same loader and conditions this process runs under (tsx passes them as Node flags).
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(runs), '--json', ...(withFeatures ? [] : ['--features', 'none'])], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = out.split('\n').find((l) => l.startsWith(RESULT_LINE));
    if (!line) throw new Error(`monitor-profile child ${i + 1} printed no result:\n${out.slice(-2000)}`);
    perProcess.push(JSON.parse(line.slice(RESULT_LINE.length)) as MonitorCpuResult);
  }
  const medianShare: Record<string, number> = {};
  for (const name of Object.keys(perProcess[0]!.passes)) medianShare[name] = median(perProcess.map((r) => r.passes[name]!.share));
  return { perProcess, medianShare };
}

export function describeMonitorCpuInProcesses(result: Awaited<ReturnType<typeof measureMonitorCpuInProcesses>>): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  return [
    ...result.perProcess.map((r, i) => `process ${i + 1}: ${describeMonitorCpu(r)}`),
    `median over ${result.perProcess.length} processes: ${Object.entries(result.medianShare)
      .map(([name, share]) => `${name} ${pct(share)} (processes: ${result.perProcess.map((r) => pct(r.passes[name]!.share)).join(', ')})`)
      .join('; ')} (targets: ≤ 2 %, issue 20 ≤ 1 %)`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 60_000);
  const withFeatures = !(args.includes('--features') && args[args.indexOf('--features') + 1] === 'none');
  const processes = args.includes('--processes') ? Number(args[args.indexOf('--processes') + 1]) : 1;
  if (args.includes('--json')) console.log(RESULT_LINE + JSON.stringify(await measureMonitorCpu(runs, withFeatures)));
  else if (processes > 1) console.log(describeMonitorCpuInProcesses(await measureMonitorCpuInProcesses(processes, runs, withFeatures)));
  else console.log(describeMonitorCpu(await measureMonitorCpu(runs, withFeatures)));
}
