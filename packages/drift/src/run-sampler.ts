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
 * (mean monitor cost of a sketched run), capped at `sample`. Both means move over about 32
 * batches (a batch's timing is coarse where performance.now() is coarsened), so the fraction
 * follows a model that speeds up or a monitor that gets dearer (a wider input). Until the warm-up
 * batches have been timed, runs are taken at `sample`. The cost of a run passed over (a draw and
 * a count, about 0.1 µs) is not in the budget.
 */
export class RunSampler {
  /** The probability that the next run is sketched. */
  fraction: number;
  /** Runs sketched and runs passed over, since this sampler was made. */
  taken = 0;
  skipped = 0;
  private state: number;
  private threshold: number;
  /** Latency of the runs since the last timed batch, and the moving means per run. */
  private latencySum = 0;
  private latencyRuns = 0;
  private latencyMs = 0;
  private costMs = 0;
  private batches = 0;

  constructor(
    readonly sample = 1,
    readonly cpuBudget?: number,
    seed = (Math.random() * 0x1_0000_0000) >>> 0,
  ) {
    if (!(sample > 0 && sample <= 1)) throw new RangeError(`monitor.sample must be a fraction of runs in (0, 1]; received ${sample}.`);
    if (cpuBudget !== undefined && !(cpuBudget > 0 && cpuBudget < 1)) {
      throw new RangeError(`monitor.cpuBudget must be a share of the model's run time in (0, 1), e.g. 0.01 for 1 %; received ${cpuBudget}.`);
    }
    this.fraction = sample;
    this.threshold = thresholdOf(sample);
    // xorshift32 has one fixed point, 0.
    this.state = seed || 0x9e3779b9;
  }

  /** Whether to sketch this run, whose engine run took `latencyMs` (`always`: it is sketched regardless, and counted as taken). */
  take(latencyMs: number, always = false): boolean {
    if (this.cpuBudget !== undefined) {
      this.latencySum += latencyMs;
      this.latencyRuns++;
    }
    if (always) {
      this.taken++;
      return true;
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

  /**
   * A batch of `runs` sketched runs cost `ms` of the monitor's time: moves the fraction toward the
   * budget. The mean latency it is set against is over every run since the previous batch. The
   * first WARMUP_BATCHES are not counted: they time the JIT compiling the monitor (118 µs a run in
   * the first batch, measured, against 7–12 µs later) and the engine's first, slow runs.
   */
  observeCost(ms: number, runs: number): void {
    if (this.cpuBudget === undefined || !(runs > 0) || !(ms >= 0)) return;
    const latency = this.latencyRuns > 0 ? this.latencySum / this.latencyRuns : undefined;
    this.latencySum = 0;
    this.latencyRuns = 0;
    if (++this.batches <= WARMUP_BATCHES || latency === undefined) return;
    const perRun = ms / runs;
    const first = this.costMs === 0;
    this.costMs = first ? perRun : this.costMs + (perRun - this.costMs) / 32;
    this.latencyMs = first ? latency : this.latencyMs + (latency - this.latencyMs) / 32;
    const affordable = this.costMs > 0 ? (this.cpuBudget * this.latencyMs) / this.costMs : this.sample;
    // Never below one run in 10 000: a window keeps some sample even when the monitor looks dear.
    this.fraction = Math.min(this.sample, Math.max(MIN_FRACTION, affordable));
    this.threshold = thresholdOf(this.fraction);
  }
}

/** Batches timed before the budget starts to steer (see observeCost). */
export const WARMUP_BATCHES = 4;
const MIN_FRACTION = 1e-4;

/** take() compares a uniform 32-bit draw with this: fraction 1 takes every run. */
function thresholdOf(fraction: number): number {
  return fraction >= 1 ? 0x1_0000_0000 : Math.floor(fraction * 0x1_0000_0000);
}
