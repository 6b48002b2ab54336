/**
 * The measurement both quantisation benches run (Node and the browser page): for each model, top-1
 * accuracy and agreement with fp32 on the MNIST test split at batch 1, then speed at batch 1 and 32
 * in interleaved rounds (every variant each round, rotating order) with IQMs and 95 % bootstrap
 * intervals of the speed-up over fp32 (compareSpeed from @edgewise/model-tools).
 */
import * as ort from 'onnxruntime-web';
import { type SpeedCell, compareSpeed } from '@edgewise/model-tools/quantize-speed';

/** The models both benches compare, as paths under models/generated (written by `npm run models`). */
export const QUANTIZE_MODELS: Record<string, Record<string, string>> = {
  'MNIST MLP 784-512-512-10': { fp32: 'mnist/model.onnx', dynamic: 'mnist/model-int8.onnx', static: 'mnist/model-int8-static.onnx' },
  'MNIST CNN (conv 1→16, 16→32, dense)': { fp32: 'mnist-cnn/model.onnx', static: 'mnist-cnn/model-int8.onnx' },
};

export interface TestSplit {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface VariantResult {
  bytes: number;
  accuracy: number;
  /** Share of test images whose top-1 class equals fp32's. */
  agreement: number;
}

export interface ModelResult {
  variants: Record<string, VariantResult>;
  speed: SpeedCell[];
}

async function predictions(bytes: Uint8Array, test: TestSplit): Promise<Uint8Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const [input, output] = [session.inputNames[0]!, session.outputNames[0]!];
  const out = new Uint8Array(test.count);
  for (let i = 0; i < test.count; i++) {
    const r = await session.run({ [input]: new ort.Tensor('float32', test.images.subarray(i * 784, (i + 1) * 784), [1, 784]) });
    const p = r[output]!.data as Float32Array;
    let best = 0;
    for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
    out[i] = best;
  }
  await session.release();
  return out;
}

export async function measureModel(variants: Record<string, Uint8Array>, test: TestSplit, rounds = 40): Promise<ModelResult> {
  const preds = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(variants)) preds.set(name, await predictions(bytes, test));
  const fp32 = preds.get('fp32')!;
  const result: ModelResult = { variants: {}, speed: [] };
  for (const [name, bytes] of Object.entries(variants)) {
    const p = preds.get(name)!;
    let [correct, agree] = [0, 0];
    for (let i = 0; i < test.count; i++) {
      if (p[i] === test.labels[i]) correct++;
      if (p[i] === fp32[i]) agree++;
    }
    result.variants[name] = { bytes: bytes.byteLength, accuracy: correct / test.count, agreement: agree / test.count };
  }
  result.speed = await compareSpeed(variants, 'fp32', test.images.slice(0, 784), [1, 784], { rounds });
  return result;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Printable lines, with the targets checked against the static int8 model. */
export function summarizeModel(name: string, r: ModelResult): string[] {
  const lines = [`${name}`];
  const fp32 = r.variants.fp32!;
  for (const [v, x] of Object.entries(r.variants)) {
    lines.push(`  ${v.padEnd(8)} ${String(x.bytes).padStart(8)} B (${pct(x.bytes / fp32.bytes)})  accuracy ${pct(x.accuracy)}  top-1 agreement with fp32 ${pct(x.agreement)}`);
  }
  for (const c of r.speed) {
    if (c.variant === 'fp32') continue;
    const target = c.variant === 'static' ? (c.batch === 1 ? 1.3 : 2) : undefined;
    const verdict = target === undefined ? '' : c.speedup.lo >= target ? `  target ≥ ×${target}: met` : c.speedup.value >= target ? `  target ≥ ×${target}: met at the IQM, not across the interval` : `  target ≥ ×${target}: NOT met`;
    const base = r.speed.find((x) => x.batch === c.batch && x.variant === 'fp32')!;
    lines.push(`  batch ${String(c.batch).padEnd(2)} ${c.variant.padEnd(8)} ${c.iqmMs.toFixed(4)} ms vs fp32 ${base.iqmMs.toFixed(4)} ms: ×${c.speedup.value.toFixed(2)} [${c.speedup.lo.toFixed(2)}–${c.speedup.hi.toFixed(2)}]${verdict}`);
  }
  const s = r.variants.static;
  if (s) lines.push(`  static agreement target ≥ 99.50%: ${s.agreement >= 0.995 ? 'met' : 'NOT met'} (${pct(s.agreement)})`);
  return lines;
}
