import { emptyEvidence, hasNonFinite, judgeCanary, median, type CanaryEvidence, type CanaryOptions, type CanaryReason } from './canary.js';
import { ShadowRunner, type ShadowCandidate, type ShadowOutcome } from './shadow.js';
import type { NamedTensors } from './tensor.js';

/** The guard's counts as the model reports them: medians instead of the latency lists. */
export type CanaryCounts = Omit<CanaryEvidence, 'canaryMs' | 'referenceMs' | 'pairedCanaryErrors'> & {
  /** Median latency of the compared canary runs, and of the reference runs beside them (ms); NaN before any. */
  canaryMs: number;
  referenceMs: number;
};

/**
 * A canary's verdict: the `canary` event, and what the next report counts. `version` is the canary,
 * `previous` the reference it was compared with (and, when rolled back, what the model runs now).
 */
export interface CanaryVerdict extends CanaryCounts {
  outcome: 'passed' | 'rolled-back';
  version: string;
  previous: string;
  reason?: CanaryReason;
  /** When rolled back but the store could not record the rollback (the model still switched). */
  rollbackError?: string;
}

/** What health().canary says: still guarding, or the verdict. */
export interface CanaryStatus extends CanaryCounts {
  state: 'guarding' | 'passed' | 'rolled-back';
  version: string;
  previous: string;
  reason?: CanaryReason;
}

/** Latencies kept for the medians: a verdict comes at passRuns, this only bounds an odd configuration. */
const MAX_LATENCIES = 4096;

/**
 * Guards one canary: counts its runs and errors, runs the reference (the previous version) beside
 * it on a sample through a ShadowRunner (so never on the caller's path), judges after every
 * observation, and calls `onVerdict` once. The reference is not disposed here: on a rollback the
 * model adopts it as its session, on a pass the model releases it.
 */
export class CanaryGuard {
  private readonly evidence = emptyEvidence();
  /** Per offered run: whether the canary failed on it (error or non-finite outputs), so its reference run is paired with that. */
  private readonly runner: ShadowRunner<{ canaryFailed: boolean }>;
  private verdict: CanaryVerdict | undefined;

  constructor(
    reference: ShadowCandidate,
    readonly version: string,
    readonly previous: string,
    private readonly options: Required<CanaryOptions>,
    private readonly onVerdict: (verdict: CanaryVerdict) => void,
    random?: () => number,
    /** Crashes in the workers this model ran in before this one (the main thread counts them). */
    crashes = 0,
  ) {
    this.evidence.crashes = crashes;
    const borrowed: ShadowCandidate = { run: (inputs) => reference.run(inputs), dispose: async () => {} };
    this.runner = new ShadowRunner<{ canaryFailed: boolean }>(borrowed, options.sample, (outcome, context) => this.onReference(outcome, context?.canaryFailed ?? false), options.maxPending, random);
  }

  /** True until a verdict: while guarding, runs are observed. */
  get guarding(): boolean {
    return this.verdict === undefined;
  }

  /**
   * A canary run that returned: non-finite outputs count as an error. Sampled runs go to the
   * reference either way (errors are compared on the same inputs); finite ones with `latencyMs`
   * are also compared (without it, a run that went through recovery, only errors are paired).
   */
  observe(inputs: NamedTensors, outputs: NamedTensors, latencyMs?: number): void {
    if (this.verdict) return;
    this.evidence.runs++;
    const failed = hasNonFinite(outputs);
    if (failed) this.evidence.canaryErrors++;
    this.runner.offer(inputs, failed ? {} : outputs, failed ? NaN : (latencyMs ?? NaN), { canaryFailed: failed });
    this.judge();
  }

  /** A canary run that rejected (after any fallback the model tried); its inputs go to the reference too, when sampled. */
  failed(inputs?: NamedTensors): void {
    if (this.verdict) return;
    this.evidence.runs++;
    this.evidence.canaryErrors++;
    if (inputs) this.runner.offer(inputs, {}, NaN, { canaryFailed: true });
    this.judge();
  }

  /**
   * Judges on the evidence carried in (crashes in earlier workers) before any run here: a canary that
   * already took down `maxCrashes` workers is rolled back at load, without one more try.
   */
  judgeCarried(): void {
    if (!this.verdict) this.judge();
  }

  status(): CanaryStatus {
    const v = this.verdict;
    if (v) return { state: v.outcome, ...this.counts(), version: v.version, previous: v.previous, ...(v.reason ? { reason: v.reason } : {}) };
    return { state: 'guarding', ...this.counts(), version: this.version, previous: this.previous };
  }

  /** Stops sampling and waits for reference runs in flight, so the reference is free to adopt or release. */
  stop(): Promise<void> {
    return this.runner.dispose();
  }

  private onReference(outcome: ShadowOutcome, canaryFailed: boolean): void {
    if (this.verdict || outcome.kind === 'dropped') return;
    const e = this.evidence;
    e.referenceRuns++;
    if (canaryFailed) e.pairedCanaryErrors++;
    if (outcome.kind === 'error' || outcome.candidateNonFinite) e.referenceErrors++;
    // Compared only where both answered with usable outputs and the canary's run was timed.
    else if (!canaryFailed && Number.isFinite(outcome.activeMs)) {
      e.compared++;
      e.items += outcome.items;
      e.agreed += outcome.agreed;
      if (e.canaryMs.length < MAX_LATENCIES) {
        e.canaryMs.push(outcome.activeMs);
        e.referenceMs.push(outcome.candidateMs);
      }
    }
    this.judge();
  }

  private counts(): CanaryCounts {
    const { canaryMs, referenceMs, pairedCanaryErrors: _paired, ...rest } = this.evidence;
    return { ...rest, canaryMs: median(canaryMs), referenceMs: median(referenceMs) };
  }

  private judge(): void {
    const judgement = judgeCanary(this.evidence, this.options);
    if (judgement.verdict === 'pending') return;
    const verdict: CanaryVerdict = { outcome: judgement.verdict, version: this.version, previous: this.previous, ...this.counts() };
    if (judgement.verdict === 'rolled-back') verdict.reason = judgement.reason;
    this.verdict = verdict;
    this.onVerdict(verdict);
  }
}
