const now = () => globalThis.performance?.now() ?? Date.now();

/**
 * Fails a run that has not settled within `ms`, so an engine that hangs (a never-settling promise,
 * a lost device the runtime did not notice) cannot hold the model's queue forever.
 *
 * One coarse watchdog timer per model instead of a timer per run: a run costs one promise and a
 * timestamp, the timer ticks every ms/4 (so a hang is caught between ms and 1.25 ms), and in Node it
 * never keeps the process alive.
 */
export class RunDeadline {
  private pending: { since: number; ms: number; fail: (error: Error) => void } | undefined;
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
  }

  guard<T>(run: Promise<T>, first = false): Promise<T> {
    if (this.ms === Infinity) return run;
    this.timer ??= this.start();
    const ms = first ? Math.max(this.ms, this.firstMs) : this.ms;
    return new Promise<T>((resolve, reject) => {
      const slot = { since: now(), ms, fail: reject };
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
      if (slot && now() - slot.since > slot.ms) {
        this.pending = undefined;
        slot.fail(this.timeoutError(slot.ms));
      }
    }, Math.max(5, this.ms / 4));
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }
}
