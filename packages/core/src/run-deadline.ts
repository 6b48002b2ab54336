
/**
 * Fails a run that has not settled within `ms`, so an engine that hangs (a never-settling promise,
 * a lost device the runtime did not notice) cannot hold the model's queue forever.
 *
 * One coarse watchdog timer per model instead of a timer per run: the timer ticks every ms/4, and
 * a run fails once ms/4 + 1 ticks have passed since it began (so a hang is caught between ms and
 * 1.25 ms; timers never fire early, so never before ms). Counting ticks instead of reading the clock
 * keeps a run to one promise and no timestamp: performance.now() costs 0.3–0.6 µs in a
 * cross-origin-isolated Chromium page, which was a tenth of the SDK's overhead on a 0.1 ms model.
 * In Node the timer never keeps the process alive.
 */
export class RunDeadline {
  private pending: { ticks: number; limit: number; ms: number; fail: (error: Error) => void } | undefined;
  private readonly tickMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * `firstMs` applies to a session's first run, which compiles shaders, picks kernels and uploads
   * weights, and so is often many times slower than the rest.
   */
  constructor(
    readonly ms: number,
    readonly firstMs: number,
    private readonly timeoutError: (ms: number) => Error,
  ) {
    if (!(ms > 0)) throw new RangeError(`runTimeoutMs must be a positive number of milliseconds (Infinity for none); received ${ms}.`);
    this.tickMs = Math.max(5, ms / 4);
  }

  guard<T>(run: Promise<T>, first = false): Promise<T> {
    if (this.ms === Infinity) return run;
    this.timer ??= this.start();
    const ms = first ? Math.max(this.ms, this.firstMs) : this.ms;
    return new Promise<T>((resolve, reject) => {
      // After k ticks, more than (k - 1) ticks' time has passed: k - 1 ≥ ms / tick means past the limit.
      const slot = { ticks: 0, limit: Math.ceil(ms / this.tickMs) + 1, ms, fail: reject };
      this.pending = slot;
      run.then(
        (value) => {
          if (this.pending === slot) this.pending = undefined;
          resolve(value);
        },
        (error: unknown) => {
          if (this.pending === slot) this.pending = undefined;
          reject(error);
        },
      );
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start() {
    const timer = setInterval(() => {
      const slot = this.pending;
      if (slot && ++slot.ticks >= slot.limit) {
        this.pending = undefined;
        slot.fail(this.timeoutError(slot.ms));
      }
    }, this.tickMs);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }
}
