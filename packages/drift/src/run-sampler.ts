/**
 * Which runs the monitor sketches, when not all of them (`monitor: { sample, cpuBudget }`).
 *
 * A drift test needs a uniform sample of the traffic, not every run: a tiny model called thousands
 * of times a second fills an hour's window with millions of runs, and the monitor's few µs a run
 * are then a share of the model's own time worth saving (MNIST int8: 3–4 µs of a 0.14 ms run).
 * Each run is taken with probability `fraction`, independently (a Bernoulli sample, so no
 * periodic input can alias with it), from a xorshift generator: one multiply-free step a run.
 *
 * With a `cpuBudget` the fraction follows the measured costs: budget × (mean run latency) /
 * (mean monitor cost of a sketched run), capped at `sample`. Costs are summed over periods of at
 * least MIN_PERIOD_MS of timed work (so a clock coarsened to 0.1 or 1 ms, whose readings are 0 or a
 * tick but right on average, still gives a usable mean), the first estimate is the median of the
 * first INITIAL_PERIODS periods after WARMUP_BATCHES (a GC pause there does not set the fraction
 * for an hour), later periods weigh by their runs, older ones decaying by 7/8 a period, and a
 * period counts at most 8× the mean cost. Until then, runs are
 * taken at `sample`. What a run passed over still costs (a draw, a count, its latency) is not in
 * the budget; nor is a reject-mode monitor's inspection before every run, which is never sampled.
 */
export class RunSampler {
  /** The probability that the next run is sketched. */
  fraction: number;
  /** Runs sketched and runs passed over, since this sampler was made or its counts reset. */
  taken = 0;
  skipped = 0;
  private state: number;
  private threshold: number;
  /** Latency of the runs since the last period closed, and the moving means per run. */
  private latencySum = 0;
  private latencyRuns = 0;
  private costSum = 0;
  private costRuns = 0;
  private latencyMs = 0;
  private costMs = 0;
  private batches = 0;
  private readonly initial: Period[] = [];
  /**
   * Sums over periods, older ones decayed by 7/8 a period: the means are ratios of sums, weighted
   * by runs. (A mean of per-period ratios is biased where a period ends at the first clock tick.)
   */
  private readonly sums: Period = { cost: 0, runs: 0, latency: 0, latencyRuns: 0 };

  constructor(
    readonly sample = 1,
    readonly cpuBudget?: number,
    seed = (Math.random() * 0x1_0000_0000) >>> 0,
  ) {
    if (typeof sample !== 'number' || !(sample >= MIN_FRACTION && sample <= 1)) {
      throw new RangeError(`monitor.sample must be a fraction of runs in [${MIN_FRACTION}, 1]; received ${JSON.stringify(sample) ?? String(sample)}.`);
    }
    if (cpuBudget !== undefined && (typeof cpuBudget !== 'number' || !(cpuBudget > 0 && cpuBudget < 1))) {
      throw new RangeError(`monitor.cpuBudget must be a share of the model's run time in (0, 1), e.g. 0.01 for 1 %; received ${JSON.stringify(cpuBudget) ?? String(cpuBudget)}.`);
    }
    this.fraction = sample;
    this.threshold = thresholdOf(sample);
    // xorshift32 has one fixed point, 0.
    this.state = seed || 0x9e3779b9;
  }

  /** Whether to sketch this run, whose engine run took `latencyMs`. */
  take(latencyMs: number): boolean {
    if (this.cpuBudget !== undefined && latencyMs >= 0 && latencyMs < Infinity) {
      this.latencySum += latencyMs;
      this.latencyRuns++;
    }
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    if (x >>> 0 < this.threshold) {
      this.taken++;
      return true;
    }
    this.skipped++;
    return false;
  }

  /** Zeroes taken and skipped (the monitor's reset); the fraction and what it learnt stay. */
  resetCounts(): void {
    this.taken = 0;
    this.skipped = 0;
  }

  /** A batch of `runs` sketched runs cost `ms` of the monitor's time: moves the fraction toward the budget. */
  observeCost(ms: number, runs: number): void {
    if (this.cpuBudget === undefined || !(runs > 0) || !(ms >= 0 && ms < Infinity)) return;
    if (++this.batches <= WARMUP_BATCHES) {
      // The JIT compiling the monitor (118 µs a sketched run in the first batch, measured, against
      // 3–12 µs later) and the engine's first, slow runs: not what steady state costs.
      this.latencySum = 0;
      this.latencyRuns = 0;
      return;
    }
    this.costSum += ms;
    this.costRuns += runs;
    if (this.costSum < MIN_PERIOD_MS || this.latencyRuns === 0) return;
    const period: Period = { cost: this.costSum, runs: this.costRuns, latency: this.latencySum, latencyRuns: this.latencyRuns };
    this.costSum = this.costRuns = this.latencySum = this.latencyRuns = 0;
    if (this.costMs === 0) {
      this.initial.push(period);
      if (this.initial.length < INITIAL_PERIODS) return;
      // The start is their median per-run cost (over all their runs): one pause among them cannot set it.
      const median = medianOf(this.initial.map((p) => p.cost / p.runs));
      for (const p of this.initial) this.add({ ...p, cost: median * p.runs }, median);
    } else {
      this.decay();
      this.add(period, this.costMs);
    }
    this.costMs = this.sums.cost / this.sums.runs || Number.MIN_VALUE;
    this.latencyMs = this.sums.latency / this.sums.latencyRuns;
    const affordable = (this.cpuBudget * this.latencyMs) / this.costMs;
    this.fraction = Math.min(this.sample, Math.max(MIN_FRACTION, affordable));
    this.threshold = thresholdOf(this.fraction);
  }

  private decay(): void {
    this.sums.cost *= 7 / 8;
    this.sums.runs *= 7 / 8;
    this.sums.latency *= 7 / 8;
    this.sums.latencyRuns *= 7 / 8;
  }

  /** Adds a period, its per-run cost counted at most 8× `mean`. */
  private add(period: Period, mean: number): void {
    this.sums.cost += Math.min(period.cost, 8 * mean * period.runs);
    this.sums.runs += period.runs;
    this.sums.latency += period.latency;
    this.sums.latencyRuns += period.latencyRuns;
  }
}

/** Timed work and latency summed over one period (or decayed sums of them). */
interface Period {
  cost: number;
  runs: number;
  latency: number;
  latencyRuns: number;
}

/** Batches timed before the budget starts to steer (see observeCost). */
export const WARMUP_BATCHES = 4;
/** Timed work summed into one cost reading: many ticks of a coarsened performance.now(). */
export const MIN_PERIOD_MS = 1;
/** Periods whose median is the first estimate. */
export const INITIAL_PERIODS = 5;
/** The least fraction of runs sketched (a window keeps some sample even when the monitor looks dear). */
export const MIN_FRACTION = 1e-4;

function medianOf(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** take() compares a uniform 32-bit draw with this: fraction 1 takes every run. */
function thresholdOf(fraction: number): number {
  return fraction >= 1 ? 0x1_0000_0000 : Math.floor(fraction * 0x1_0000_0000);
}
