import type { ModelSource } from './model-source.js';
import type { NamedTensors, Tensor } from './tensor.js';
import { hasNonFinite } from './non-finite.js';

/**
 * `loadModel({ shadow })`: a candidate version run beside the active one on a sample of runs, after
 * the active result has gone to the caller. Give the candidate as `source` (with `engine`, default
 * the active model's) or as `manifest` + `version`.
 *
 * @example
 * shadow: { source: '/models/mnist/model.onnx', sample: 0.1 }           // fp32 beside the int8 model
 * shadow: { manifest: '/models/mnist/manifest.json', version: '1.3.0', sample: 0.05 }
 */
export interface ShadowOptions {
  source?: ModelSource;
  engine?: string;
  manifest?: string;
  version?: string;
  /** Fraction of runs the candidate also runs on, 0..1. */
  sample: number;
  /** Sampled runs allowed to wait for the candidate before more are dropped (default 4). */
  maxPending?: number;
}

/** One compared run, or a candidate run that failed, or a sampled run dropped because the device was busy. */
export type ShadowOutcome =
  | { kind: 'compared'; items: number; agreed: number; meanAbsDiff: number; activeMs: number; candidateMs: number; candidateNonFinite?: boolean }
  | { kind: 'error' }
  | { kind: 'dropped' };

/** Rejects a malformed `shadow` option with a TypeError/RangeError naming the field. */
export function checkShadowOptions(shadow: unknown): asserts shadow is ShadowOptions {
  if (typeof shadow !== 'object' || shadow === null) throw new TypeError('loadModel(): "shadow" must be an object {source | manifest, version?, sample}.');
  const s = shadow as Record<string, unknown>;
  const hasSource = s.source !== undefined && s.source !== null;
  if (hasSource === (s.manifest !== undefined)) throw new TypeError('loadModel(): "shadow" needs exactly one of "source" and "manifest".');
  if (s.manifest !== undefined && typeof s.manifest !== 'string') throw new TypeError(`loadModel(): "shadow.manifest" must be a URL string; received ${typeof s.manifest}.`);
  if (s.version !== undefined && typeof s.version !== 'string') throw new TypeError(`loadModel(): "shadow.version" must be a string; received ${typeof s.version}.`);
  if (s.engine !== undefined && typeof s.engine !== 'string') throw new TypeError(`loadModel(): "shadow.engine" must be a string such as 'onnx'; received ${typeof s.engine}.`);
  if (typeof s.sample !== 'number' || !(s.sample >= 0 && s.sample <= 1)) throw new RangeError(`loadModel(): "shadow.sample" must be a number in [0, 1]; received ${String(s.sample)}.`);
  if (s.maxPending !== undefined && !(Number.isInteger(s.maxPending) && (s.maxPending as number) >= 1)) {
    throw new RangeError(`loadModel(): "shadow.maxPending" must be an integer ≥ 1; received ${String(s.maxPending)}.`);
  }
}

/** Top-1 per batch item of a [batch, classes] tensor; none for a single column. */
function top1(t: Tensor): number[] {
  const classes = t.dims[t.dims.length - 1] ?? 0;
  if (classes < 2) return [];
  const out: number[] = [];
  for (let row = 0; row < t.data.length / classes; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (Number(t.data[row * classes + c]) > Number(t.data[row * classes + best])) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Compares the candidate's outputs with the active ones: top-1 agreement of the first output
 * (per batch item) and the mean absolute difference over every output both have with equal size.
 */
export function compareOutputs(active: NamedTensors, candidate: NamedTensors): { items: number; agreed: number; meanAbsDiff: number } {
  const firstName = Object.keys(active)[0];
  const a1 = firstName === undefined ? [] : top1(active[firstName]!);
  const c1 = firstName === undefined || !candidate[firstName] ? [] : top1(candidate[firstName]!);
  let agreed = 0;
  a1.forEach((cls, i) => (agreed += c1[i] === cls ? 1 : 0));
  let sum = 0;
  let n = 0;
  for (const [name, a] of Object.entries(active)) {
    const c = candidate[name];
    if (!c || c.data.length !== a.data.length) continue;
    for (let i = 0; i < a.data.length; i++) sum += Math.abs(Number(a.data[i]) - Number(c.data[i]));
    n += a.data.length;
  }
  // A candidate whose outputs cannot be compared at all differs maximally.
  return { items: a1.length, agreed, meanAbsDiff: n === 0 ? Infinity : sum / n };
}

/** Copies tensors so a caller that reuses its buffers after run() resolves cannot change what the shadow compares. */
function copyTensors(inputs: NamedTensors): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(inputs)) out[name] = { ...t, data: t.data.slice() as typeof t.data, dims: [...t.dims] };
  return out;
}

/** What the shadow runner needs of the candidate: a model's run and dispose. */
export interface ShadowCandidate {
  run(inputs: NamedTensors): Promise<NamedTensors>;
  dispose(): Promise<void>;
}

/**
 * Runs the candidate on a sample of the active model's runs, never on the caller's path: `offer`
 * only copies the inputs and schedules a macrotask, so the active run's promise has resolved (and
 * the caller's continuation run) before the candidate starts. At most `maxPending` wait; beyond
 * that sampled runs are counted as dropped rather than letting shadow work pile up.
 */
export class ShadowRunner<C = undefined> {
  private pending = 0;
  private idle: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly candidate: ShadowCandidate,
    private readonly sample: number,
    /** `context` is what `offer` was given with the run, handed back with its outcome. */
    private readonly report: (outcome: ShadowOutcome, context: C | undefined) => void,
    private readonly maxPending = 4,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => globalThis.performance?.now() ?? Date.now(),
  ) {}

  offer(inputs: NamedTensors, outputs: NamedTensors, activeMs: number, context?: C): void {
    if (this.disposed || !(this.random() < this.sample)) return;
    if (this.pending >= this.maxPending) return this.report({ kind: 'dropped' }, context);
    this.pending++;
    const copy = copyTensors(inputs);
    const active = copyTensors(outputs);
    const done = new Promise<void>((resolve) =>
      setTimeout(() => {
        const started = this.now();
        this.candidate
          .run(copy)
          .then(
            (candidate) => this.report({ kind: 'compared', ...compareOutputs(active, candidate), activeMs, candidateMs: this.now() - started, candidateNonFinite: hasNonFinite(candidate) }, context),
            () => this.report({ kind: 'error' }, context),
          )
          .finally(() => {
            this.pending--;
            resolve();
          });
      }, 0),
    );
    this.idle = Promise.all([this.idle, done]).then(() => undefined);
  }

  /** Resolves when every shadow run offered so far has finished (tests, dispose). */
  settled(): Promise<void> {
    return this.idle;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.idle;
    await this.candidate.dispose();
  }
}
