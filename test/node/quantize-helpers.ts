import { encodeModel, initializer, intAttr, node, seededRandom } from '@edgewise/model-tools';
import * as ort from 'onnxruntime-web';

/** Gemm (transB) whose weight rows differ in magnitude, so a per-tensor scale would lose the small rows. */
export function gemmModel(): Uint8Array {
  const rand = seededRandom(7);
  // Rows with very different magnitudes: a single per-tensor scale would crush the small ones.
  const w = Float32Array.from({ length: 6 * 8 }, (_, i) => (rand() - 0.5) * (Math.floor(i / 8) + 1) ** 2 * 0.1);
  return encodeModel({
    name: 'gemm',
    inputs: [{ name: 'x', elemType: 'float32', dims: [1, 8] }],
    outputs: [{ name: 'y', elemType: 'float32', dims: [1, 6] }],
    initializers: [initializer('W', 'float32', w, [6, 8]), initializer('b', 'float32', Float32Array.from({ length: 6 }, (_, i) => i * 0.1), [6])],
    nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [intAttr('transB', 1)])],
  });
}

/** One real ORT WASM session run (optimisation level 'all', as the engine uses); the first output. */
export async function runModel(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const out = await session.run(feeds);
  const data = out[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return data;
}
