import * as ort from 'onnxruntime-web';
import { type Interval, comparePaired, iqm } from './paired-stats.js';

export interface SpeedCell {
  batch: number;
  variant: string;
  /** Interquartile mean of one run, ms. */
  iqmMs: number;
  /** fp32 IQM ÷ this variant's IQM, with a 95 % bootstrap interval over paired rounds; > 1 = faster than fp32. */
  speedup: Interval;
}

export interface SpeedOptions {
  batches?: number[];
  rounds?: number;
  /** Wall time one variant gets per round, ms: enough runs are averaged to fill it, so timer resolution does not dominate. */
  roundMs?: number;
}

/** The input shape at `batch` (first dim replaced), or undefined when the model fixes its first dim to another size. */
function batched(session: ort.InferenceSession, dims: readonly number[], batch: number): number[] | undefined {
  const meta = (session as unknown as { inputMetadata?: Array<{ shape?: Array<number | string> }> }).inputMetadata?.[0];
  const first = meta?.shape?.[0];
  if (batch !== dims[0] && typeof first === 'number' && first > 0 && first !== batch) return undefined;
  return [batch, ...dims.slice(1)];
}

/**
 * Times every model on onnxruntime-web (WASM, graphOptimizationLevel 'all' as the engine uses) in
 * interleaved rounds — each round runs every variant, in an order that rotates — so a slow moment
 * of the machine lands on all of them, and reports each variant's speed-up over `baseline` per batch
 * size with a bootstrap interval over the rounds. Batches the model's shape forbids are skipped.
 *
 * @example
 * const cells = await compareSpeed({ fp32, static: q.bytes }, 'fp32', sample, [1, 784]);
 */
export async function compareSpeed(
  models: Record<string, Uint8Array>,
  baseline: string,
  sample: Float32Array,
  dims: readonly number[],
  options: SpeedOptions = {},
): Promise<SpeedCell[]> {
  const { batches = [1, 32], rounds = 40, roundMs = 4 } = options;
  if (!(baseline in models)) throw new RangeError(`compareSpeed: baseline must name one of the models (${Object.keys(models).join(', ')}); received ${baseline}`);
  const sessions = new Map<string, ort.InferenceSession>();
  for (const [name, bytes] of Object.entries(models)) sessions.set(name, await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
  const cells: SpeedCell[] = [];
  try {
    const input = sessions.get(baseline)!.inputNames[0]!;
    for (const batch of batches) {
      const shape = batched(sessions.get(baseline)!, dims, batch);
      if (!shape) continue;
      const size = sample.length;
      const data = new Float32Array(size * batch);
      for (let b = 0; b < batch; b++) data.set(sample, b * size);
      const feeds = { [input]: new ort.Tensor('float32', data, shape) };
      const names = [...sessions.keys()];
      // Warm up and size the rounds: runs per round so the slowest variant fills roundMs.
      let slowest = 0;
      for (const name of names) {
        const s = sessions.get(name)!;
        for (let i = 0; i < 5; i++) await s.run(feeds);
        const t = performance.now();
        for (let i = 0; i < 10; i++) await s.run(feeds);
        slowest = Math.max(slowest, (performance.now() - t) / 10);
      }
      const reps = Math.max(1, Math.round(roundMs / slowest));
      const times = new Map(names.map((n) => [n, [] as number[]]));
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(round + k) % names.length]!;
          const s = sessions.get(name)!;
          const t = performance.now();
          for (let i = 0; i < reps; i++) await s.run(feeds);
          times.get(name)!.push((performance.now() - t) / reps);
        }
      }
      const base = times.get(baseline)!;
      for (const name of names) {
        const c = comparePaired(base, times.get(name)!);
        cells.push({ batch, variant: name, iqmMs: iqm(times.get(name)!), speedup: c.ratio });
      }
    }
  } finally {
    for (const s of sessions.values()) await s.release();
  }
  return cells;
}
