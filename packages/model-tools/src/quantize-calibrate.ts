import * as ort from 'onnxruntime-web';
import { decodeModel, onnx } from './onnx-graph.js';
import { QuantizeError } from './quantize-errors.js';
import { type StaticQuantizeOptions, type StaticQuantizeResult, type TensorRange, planStaticQuantization, quantizeStatic } from './quantize-static.js';

/**
 * Runs the fp32 model (onnxruntime-web, WASM) on each sample with `tensors` added as graph outputs
 * and records each tensor's min, max and rank. Min/max (not percentiles): the quantised model then
 * never clips a value the samples produced, which is what keeps top-1 agreement high on small nets.
 */
export async function calibrateRanges(modelBytes: Uint8Array, tensors: readonly string[], samples: readonly Float32Array[], dims: readonly number[]): Promise<Map<string, TensorRange>> {
  if (samples.length === 0) throw new RangeError('calibrateRanges: samples must hold at least one input; received 0. Pass a few hundred representative inputs.');
  const model = decodeModel(modelBytes);
  const outputs = new Set((model.graph!.output ?? []).map((o) => o.name!));
  // An output without a type is allowed: ORT infers it from the producing node.
  for (const t of tensors) if (!outputs.has(t)) model.graph!.output!.push({ name: t });
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  } catch (cause) {
    throw new QuantizeError('E_CALIBRATION', `Calibration: onnxruntime-web could not load the model with its activations as outputs (${(cause as Error).message}).`, { cause });
  }
  const ranges = new Map<string, TensorRange>(tensors.map((t) => [t, { min: Infinity, max: -Infinity, rank: 0 }]));
  try {
    const input = session.inputNames[0]!;
    for (const sample of samples) {
      const result = await session.run({ [input]: new ort.Tensor('float32', sample, dims as number[]) });
      for (const t of tensors) {
        const out = result[t]!;
        const range = ranges.get(t)!;
        const data = out.data as Float32Array;
        let { min, max } = range;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        ranges.set(t, { min, max, rank: out.dims.length });
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}

/**
 * Static int8 quantisation calibrated on `samples` (each one input of shape `dims`): plan, calibrate
 * with onnxruntime-web, then quantizeStatic.
 *
 * @example
 * const { bytes, quantized } = await quantizeStaticCalibrated(fp32, trainRows.slice(0, 500), [1, 784]);
 */
export async function quantizeStaticCalibrated(
  modelBytes: Uint8Array,
  samples: readonly Float32Array[],
  dims: readonly number[],
  options: StaticQuantizeOptions = {},
): Promise<StaticQuantizeResult> {
  const tensors = planStaticQuantization(modelBytes, options);
  return quantizeStatic(modelBytes, tensors.length ? await calibrateRanges(modelBytes, tensors, samples, dims) : new Map(), options);
}
