import type { NamedTensors } from './tensor.js';

/**
 * `loadModel({ canary })`: the guard of a canary, a version that 'latest' reached through the
 * manifest's `rollout`. While guarding, the previously active version (still cached) runs beside it
 * on a sample of runs, after the canary's result has gone to the caller, as the reference. Once
 * `minRuns` canary runs are in, the canary is rolled back on the device when its error rate exceeds
 * the reference's by more than `maxErrorRateIncrease`; and, once `minRuns` runs were compared, when
 * its top-1 agreement with the reference is below `minAgreement` (broken weights do not throw, they
 * disagree), or its median latency is over `maxLatencyRatio` × the reference's (and more than
 * `minLatencyIncreaseMs` slower). It passes after `passRuns` runs without tripping. On by default
 * for canaries; `canary: false` turns it off. All fields are optional.
 *
 * @example
 * await runtime.loadModel({ manifest: '/models/mnist/manifest.json', canary: { minRuns: 100, minAgreement: 0.95 } });
 */
export interface CanaryOptions {
  /** Canary runs (and compared runs, for agreement and latency) before any verdict. Default 50. */
  minRuns?: number;
  /** Runs after which a canary that has not tripped passes and the reference is released. Default 200. */
  passRuns?: number;
  /** Largest allowed canary error rate minus the reference's, 0..1. Default 0.02. */
  maxErrorRateIncrease?: number;
  /** Largest allowed median canary latency / median reference latency. Default 1.5. */
  maxLatencyRatio?: number;
  /**
   * A latency trip also needs the canary's median to be this many ms slower: timers are coarse
   * (100 µs in browsers without cross-origin isolation), so sub-millisecond models would otherwise
   * trip on rounding. Default 1.
   */
  minLatencyIncreaseMs?: number;
  /** Smallest allowed share of batch items whose top-1 class matches the reference's, 0..1. Default 0.9. */
  minAgreement?: number;
  /** Fraction of canary runs the reference also runs on while guarding, 0..1. Default 1. */
  sample?: number;
  /** Sampled runs allowed to wait for the reference before more are dropped (default 4). */
  maxPending?: number;
  /**
   * Runs during which the canary's worker died, hung or wedged its engine, before the canary is
   * rolled back (reason 'crashes'), counted across the fresh workers the model moves into: such a
   * run leaves no result to compare, and a canary that kills its worker every few runs would
   * otherwise start a new guard in each one and never reach a verdict. Default 2.
   */
  maxCrashes?: number;
}

/** The guard's defaults: what `canary: {}` (or leaving `canary` out) means. */
export const DEFAULT_CANARY: Readonly<Required<CanaryOptions>> = Object.freeze({
  minRuns: 50,
  passRuns: 200,
  maxErrorRateIncrease: 0.02,
  maxLatencyRatio: 1.5,
  minLatencyIncreaseMs: 1,
  minAgreement: 0.9,
  sample: 1,
  maxPending: 4,
  maxCrashes: 2,
});

/** Why a canary was rolled back: the first criterion it failed, in this order. */
export type CanaryReason = 'crashes' | 'error-rate' | 'agreement' | 'latency';

/**
 * What the guard judged on. A canary error is a run that rejected or returned a non-finite output;
 * a reference error is a sampled reference run that threw. Latencies are of compared runs, paired.
 */
export interface CanaryEvidence {
  runs: number;
  /** Runs that took the canary's thread down (worker died, hung, engine wedged), across relocations. */
  crashes: number;
  canaryErrors: number;
  /**
   * Canary errors among the runs the reference also ran (referenceRuns): error rates are compared
   * on the same inputs, so inputs that fail in both versions (a caller's odd input, -Infinity
   * logits a model always emits) are no evidence against the canary.
   */
  pairedCanaryErrors: number;
  referenceRuns: number;
  referenceErrors: number;
  compared: number;
  items: number;
  agreed: number;
  canaryMs: number[];
  referenceMs: number[];
}

/** What judgeCanary decides: not yet, passed, or rolled back and why. */
export type CanaryJudgement = { verdict: 'pending' } | { verdict: 'passed' } | { verdict: 'rolled-back'; reason: CanaryReason };

export { hasNonFinite } from './non-finite.js';

export const emptyEvidence = (): CanaryEvidence => ({ runs: 0, crashes: 0, canaryErrors: 0, pairedCanaryErrors: 0, referenceRuns: 0, referenceErrors: 0, compared: 0, items: 0, agreed: 0, canaryMs: [], referenceMs: [] });

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The guard's decision, a pure function of the evidence. Judged after every observation, so a
 * canary is rolled back at the first point past `minRuns` where it fails a criterion.
 *
 * @example
 * judgeCanary({ ...evidence, runs: 60, compared: 60, items: 60, agreed: 6 }, DEFAULT_CANARY); // { verdict: 'rolled-back', reason: 'agreement' }
 */
export function judgeCanary(e: CanaryEvidence, o: Required<CanaryOptions>): CanaryJudgement {
  // Decisive at any run count: the previous version ran without taking its thread down.
  if (e.crashes >= o.maxCrashes) return { verdict: 'rolled-back', reason: 'crashes' };
  if (e.runs < o.minRuns) return { verdict: 'pending' };
  // Error rates on the same inputs only, once the reference ran on minRuns of them.
  if (e.referenceRuns >= o.minRuns && (e.pairedCanaryErrors - e.referenceErrors) / e.referenceRuns > o.maxErrorRateIncrease) {
    return { verdict: 'rolled-back', reason: 'error-rate' };
  }
  if (e.compared >= o.minRuns) {
    if (e.items > 0 && e.agreed / e.items < o.minAgreement) return { verdict: 'rolled-back', reason: 'agreement' };
    const canaryMs = median(e.canaryMs);
    const referenceMs = median(e.referenceMs);
    if (canaryMs > referenceMs * o.maxLatencyRatio && canaryMs - referenceMs > o.minLatencyIncreaseMs) return { verdict: 'rolled-back', reason: 'latency' };
  }
  // A pass needs the reference to have been tried enough; if it only ever failed, the canary is no worse.
  if (e.runs >= o.passRuns && e.referenceRuns >= o.minRuns) return { verdict: 'passed' };
  return { verdict: 'pending' };
}

/** Rejects a malformed `canary` option with a TypeError/RangeError naming the field. */
export function checkCanaryOptions(canary: unknown): asserts canary is CanaryOptions | false {
  if (canary === false) return;
  if (typeof canary !== 'object' || canary === null) throw new TypeError('loadModel(): "canary" must be false or an object {minRuns?, passRuns?, maxErrorRateIncrease?, maxLatencyRatio?, minLatencyIncreaseMs?, minAgreement?, sample?, maxPending?, maxCrashes?}.');
  const allowed = Object.keys(DEFAULT_CANARY);
  for (const [key, value] of Object.entries(canary)) {
    if (!allowed.includes(key)) throw new RangeError(`loadModel(): unknown "canary.${key}"; allowed: ${allowed.join(', ')}.`);
    if (value === undefined) continue;
    const integer = key === 'minRuns' || key === 'passRuns' || key === 'maxPending' || key === 'maxCrashes';
    const unit = key === 'maxErrorRateIncrease' || key === 'minAgreement' || key === 'sample';
    const ok = typeof value === 'number' && (integer ? Number.isInteger(value) && value >= 1 : unit ? value >= 0 && value <= 1 : value >= 0 && value !== Infinity);
    if (!ok) throw new RangeError(`loadModel(): "canary.${key}" must be ${integer ? 'an integer ≥ 1' : unit ? 'a number in [0, 1]' : 'a finite number ≥ 0'}; received ${String(value)}.`);
  }
  const c = canary as CanaryOptions;
  if ((c.passRuns ?? DEFAULT_CANARY.passRuns) < (c.minRuns ?? DEFAULT_CANARY.minRuns)) throw new RangeError('loadModel(): "canary.passRuns" must be ≥ "canary.minRuns".');
}
