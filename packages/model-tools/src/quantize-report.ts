import * as ort from 'onnxruntime-web';

export interface QuantizeReport {
  bytesBefore: number;
  bytesAfter: number;
  /** bytesAfter / bytesBefore. */
  sizeRatio: number;
  samples: number;
  /** Largest |fp32 − int8| over every output element of every sample. */
  maxAbsDiff: number;
  /** Share of samples whose argmax (first output, last axis) agrees. */
  top1Agreement: number;
}

async function runAll(bytes: Uint8Array, samples: Float32Array[], dims: number[]) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const [input, output] = [session.inputNames[0]!, session.outputNames[0]!];
  const results: Float32Array[] = [];
  for (const sample of samples) {
    const out = await session.run({ [input]: new ort.Tensor('float32', sample, dims) });
    results.push(out[output]!.data as Float32Array);
  }
  await session.release();
  return results;
}

const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));

/**
 * Runs both models on the same samples with onnxruntime-web (WASM) and compares their first output.
 * Each sample is one input tensor of shape `dims` (models with a single float input).
 */
export async function compareQuantized(fp32: Uint8Array, int8: Uint8Array, samples: Float32Array[], dims: number[]): Promise<QuantizeReport> {
  const report: QuantizeReport = {
    bytesBefore: fp32.byteLength,
    bytesAfter: int8.byteLength,
    sizeRatio: int8.byteLength / fp32.byteLength,
    samples: samples.length,
    maxAbsDiff: 0,
    top1Agreement: 1,
  };
  if (samples.length === 0) return report;
  const [a, b] = [await runAll(fp32, samples, dims), await runAll(int8, samples, dims)];
  let agree = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    for (let j = 0; j < x.length; j++) report.maxAbsDiff = Math.max(report.maxAbsDiff, Math.abs(x[j]! - y[j]!));
    if (argmax(x) === argmax(y)) agree++;
  });
  report.top1Agreement = agree / samples.length;
  return report;
}
