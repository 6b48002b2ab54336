import { readFile, rename, writeFile } from 'node:fs/promises';
import { QuantizeError, quantizeDynamic } from '@edgewise/model-tools';
import { quantizeStaticCalibrated } from '@edgewise/model-tools/quantize-calibrate';
import { compareQuantized } from '@edgewise/model-tools/quantize-report';
import { type SpeedCell, compareSpeed } from '@edgewise/model-tools/quantize-speed';
import { UsageError, intFlag, parseArgs } from './args.js';
import { recommendation } from './quantize-recommend.js';

export const QUANTIZE_USAGE = `edgewise quantize <in.onnx> <out.onnx> [--calibrate calib.json] [--samples eval.json] [--shape 1,784]
                  [--mode static|dynamic] [--speed on|off] [--threads 1]

Without --calibrate: dynamic int8 (DynamicQuantizeLinear + MatMulInteger on MatMul/Gemm weights).
With --calibrate (a JSON array of representative input rows) and --shape: static int8 in QDQ form
(Conv, MatMul/Gemm with per-channel int8 weights and calibrated uint8 activations, which ORT fuses
into QLinearConv/QGemm; LSTM/GRU and If/Loop subgraph weights weight-only), and writes that model.
With samples (--samples, else the calibration rows) it reports size, max abs difference and top-1
agreement against fp32, then (unless --speed off) the speed of fp32, dynamic and static on ORT WASM
at batch 1 and 32 in interleaved rounds with 95 % intervals, and recommends a mode per batch size.`;

async function readSamples(flag: string, path: string, shape: number[]): Promise<Float32Array[]> {
  let rows: unknown;
  try {
    rows = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${(e as Error).message}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === size && r.every((v) => typeof v === 'number'))) {
    throw new UsageError(`--${flag} must be a non-empty JSON array of number arrays of length ${size} (shape ${shape.join('×')})`);
  }
  return rows.map((r) => Float32Array.from(r as number[]));
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const speedLine = (c: SpeedCell) => `${c.variant.padEnd(8)} ${c.iqmMs.toFixed(4)} ms  ×${c.speedup.value.toFixed(2)} [${c.speedup.lo.toFixed(2)}–${c.speedup.hi.toFixed(2)}] vs fp32`;

export async function quantizeCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['samples', 'shape', 'calibrate', 'mode', 'speed', 'threads']);
  if (positional.length !== 2) throw new UsageError(`expected <in.onnx> <out.onnx>; received ${positional.length} paths`);
  const [input, output] = positional as [string, string];
  const mode = flags.get('mode') ?? (flags.has('calibrate') ? 'static' : 'dynamic');
  if (mode !== 'static' && mode !== 'dynamic') throw new UsageError(`--mode must be static or dynamic; received ${mode}`);
  if (mode === 'static' && !flags.has('calibrate')) throw new UsageError('--mode static needs --calibrate calib.json (representative inputs for the activation ranges)');
  const speedFlag = flags.get('speed') ?? 'on';
  if (speedFlag !== 'on' && speedFlag !== 'off') throw new UsageError(`--speed must be on or off; received ${speedFlag}`);
  const shape = flags.get('shape')?.split(',').map(Number);
  if ((flags.has('samples') || flags.has('calibrate')) && !shape) throw new UsageError('--samples and --calibrate need --shape (the input shape of one row, like 1,784)');
  if (shape && !shape.every((d) => Number.isInteger(d) && d > 0)) throw new UsageError(`--shape must be positive integers like 1,784; received ${flags.get('shape')}`);
  const threads = intFlag(flags, 'threads', 1, 1, 16);
  // ORT reads numThreads when it first starts; this process does nothing else with it.
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const calibration = flags.has('calibrate') ? await readSamples('calibrate', flags.get('calibrate')!, shape!) : [];
  const samples = flags.has('samples') ? await readSamples('samples', flags.get('samples')!, shape!) : calibration;

  const fp32 = new Uint8Array(await readFile(input));
  const variants: Record<string, Uint8Array> = { fp32 };
  try {
    if (mode === 'static') {
      const result = await quantizeStaticCalibrated(fp32, calibration, shape!);
      variants.static = result.bytes;
      log(`static int8 (QDQ, calibrated on ${calibration.length} rows): ${result.quantized.length} node(s) int8: ${result.quantized.join(', ') || 'none'}`);
      if (result.weightOnly.length) log(`weight-only int8 (DequantizeLinear, fp32 compute): ${result.weightOnly.join(', ')}`);
      for (const s of result.skipped) log(`kept in float: ${s.node} (${s.reason})`);
      const kept = Object.entries(result.keptFloat).map(([op, n]) => `${op}×${n}`).join(', ');
      if (kept) log(`other ops, fp32: ${kept}`);
    }
    try {
      const dynamic = quantizeDynamic(fp32);
      variants.dynamic = dynamic.bytes;
      if (mode === 'dynamic') {
        log(`dynamic int8: quantized ${dynamic.quantized.length} node(s): ${dynamic.quantized.join(', ')}`);
        for (const s of dynamic.skipped) log(`kept in float: ${s.node} (${s.reason})`);
      }
    } catch (e) {
      // Dynamic mode only covers MatMul/Gemm; a CNN may have none. Fatal only when asked for.
      if (mode === 'dynamic' || !(e instanceof QuantizeError)) throw e;
    }
  } catch (e) {
    if (e instanceof QuantizeError) throw new Error(`${input}: ${e.message}`);
    throw e;
  }
  const chosen = variants[mode]!;
  await writeFile(`${output}.tmp`, chosen);
  await rename(`${output}.tmp`, output);

  for (const [name, bytes] of Object.entries(variants)) {
    if (name === 'fp32') continue;
    const report = await compareQuantized(fp32, bytes, samples, shape ?? []);
    const agreement = report.samples > 0 ? `; ${report.samples} samples: max abs diff ${report.maxAbsDiff.toExponential(3)}, top-1 agreement ${pct(report.top1Agreement)}` : '';
    log(`${name}: size ${report.bytesBefore} → ${report.bytesAfter} bytes (${pct(report.sizeRatio)})${agreement}`);
  }
  if (samples.length > 0 && speedFlag === 'on') {
    const cells = await compareSpeed(variants, 'fp32', samples[0]!, shape!);
    for (const batch of [...new Set(cells.map((c) => c.batch))]) {
      const row = cells.filter((c) => c.batch === batch);
      log(`speed at batch ${batch} (ORT WASM, ${threads} thread${threads > 1 ? 's' : ''}, interleaved rounds, IQM, 95 % CI):`);
      for (const c of row) log(`  ${speedLine(c)}`);
      log(`  recommended at batch ${batch}: ${recommendation(row)}`);
    }
  }
  log(`wrote ${output} (${mode})`);
}
