import { readFile, rename, writeFile } from 'node:fs/promises';
import { QuantizeError, quantizeDynamic } from '@edgewise/model-tools';
import { compareQuantized } from '@edgewise/model-tools/quantize-report';
import { UsageError, parseArgs } from './args.js';

export const QUANTIZE_USAGE = `edgewise quantize <in.onnx> <out.onnx> [--samples samples.json --shape 1,784]

Dynamic int8 quantisation of MatMul/Gemm weights (DynamicQuantizeLinear + MatMulInteger, per-column
scales); other ops are left as they are. With --samples (a JSON array of input rows) and --shape, it
runs both models and reports the max abs difference and top-1 agreement.`;

async function readSamples(path: string, shape: number[]): Promise<Float32Array[]> {
  let rows: unknown;
  try {
    rows = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--samples ${path}: ${(e as Error).message}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length === size && r.every((v) => typeof v === 'number'))) {
    throw new UsageError(`--samples must be a JSON array of number arrays of length ${size} (shape ${shape.join('×')})`);
  }
  return rows.map((r) => Float32Array.from(r as number[]));
}

export async function quantizeCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['samples', 'shape']);
  if (positional.length !== 2) throw new UsageError(`expected <in.onnx> <out.onnx>; received ${positional.length} paths`);
  const [input, output] = positional as [string, string];
  const shape = flags.get('shape')?.split(',').map(Number);
  if (flags.has('samples') !== Boolean(shape)) throw new UsageError('--samples and --shape go together');
  if (shape && !shape.every((d) => Number.isInteger(d) && d > 0)) throw new UsageError(`--shape must be positive integers like 1,784; received ${flags.get('shape')}`);
  const samples = shape ? await readSamples(flags.get('samples')!, shape) : [];

  const fp32 = new Uint8Array(await readFile(input));
  let result;
  try {
    result = quantizeDynamic(fp32);
  } catch (e) {
    if (e instanceof QuantizeError) throw new Error(`${input}: ${e.message}`);
    throw e;
  }
  await writeFile(`${output}.tmp`, result.bytes);
  await rename(`${output}.tmp`, output);
  log(`quantized ${result.quantized.length} node(s): ${result.quantized.join(', ')}`);
  for (const s of result.skipped) log(`kept in float: ${s.node} (${s.reason})`);
  const report = await compareQuantized(fp32, result.bytes, samples, shape ?? []);
  log(`size: ${report.bytesBefore} → ${report.bytesAfter} bytes (${(report.sizeRatio * 100).toFixed(1)}%)`);
  if (report.samples > 0) {
    log(`samples: ${report.samples}; max abs diff ${report.maxAbsDiff.toExponential(3)}; top-1 agreement ${(report.top1Agreement * 100).toFixed(2)}%`);
  }
  log(`wrote ${output}`);
}
