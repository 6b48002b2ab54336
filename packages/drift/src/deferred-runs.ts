import type { TensorLike } from './feature-extraction.js';
import type { Prediction } from './label-tracker.js';

/** A run whose feature pass and sketch updates wait: copies of the inputs features are read from, and what the run gave. */
export interface DeferredRun {
  inputs: Record<string, TensorLike>;
  predictions: readonly Prediction[];
  latencyMs: number;
  backend: string;
  /** When it ran (the monitor's clock): the window it counts in. */
  at: number;
}

/** Runs waiting before they are applied on the caller's path after all (a loop that never idles). */
export const DEFER_MAX_RUNS = 32;
/** Input bytes copied for waiting runs before they are applied the same way (large inputs). */
export const DEFER_MAX_BYTES = 1 << 20;

type Copyable = ArrayLike<number | bigint> & { slice(): Copyable; set?(from: ArrayLike<number | bigint>): void };

/**
 * The monitor's work batched. Measured in place (MNIST int8, Node WASM, one thread, this 2-core
 * VM), a run's feature pass and sketch updates cost 10 µs right after the engine's run and 34 µs
 * after 2 ms of idle time (caches and the core's state gone cold), against 3 µs in a warm loop.
 * So run() only copies the inputs features are read from (into buffers of runs already applied)
 * and queues them here; DEFER_MAX_RUNS of them (or DEFER_MAX_BYTES of copies) are applied in one
 * batch, where the sketches stay warm, or fewer whenever anything reads the monitor. No timer:
 * arming one cost 18 µs a run after idle time, and one firing inside an engine's own awaits lands
 * on the caller's path anyway.
 */
export class DeferredRuns {
  private runs: DeferredRun[] = [];
  private bytes = 0;
  /** Per input, typed arrays of runs already applied, for the next copies. */
  private readonly free = new Map<string, Copyable[]>();

  constructor(private readonly apply: (run: DeferredRun) => void) {}

  /** Runs waiting now (diagnostics, tests). */
  get waiting(): number {
    return this.runs.length;
  }

  /** Copies what the run's features are read from (the caller may refill its buffers at once) and queues it. */
  add(inputs: Record<string, TensorLike>, featureInputs: readonly string[], predictions: readonly Prediction[], latencyMs: number, backend: string, at: number): void {
    const copies: Record<string, TensorLike> = {};
    for (let i = 0; i < featureInputs.length; i++) {
      const name = featureInputs[i]!;
      const tensor = inputs[name];
      if (!tensor) continue;
      const data = this.copy(name, tensor.data as Copyable);
      // dims are readonly in every tensor type the SDK takes; only the data is refilled in place.
      copies[name] = { data, dims: tensor.dims };
      this.bytes += ArrayBuffer.isView(data) ? data.byteLength : data.length * 8;
    }
    this.runs.push({ inputs: copies, predictions, latencyMs, backend, at });
    if (this.runs.length >= DEFER_MAX_RUNS || this.bytes >= DEFER_MAX_BYTES) this.flush();
  }

  /** Applies every waiting run, oldest first. */
  flush(): void {
    if (this.runs.length === 0) return;
    const runs = this.runs;
    this.runs = [];
    this.bytes = 0;
    for (const run of runs) {
      this.apply(run);
      // Applied: nothing holds its copies any more, so later runs copy into them.
      for (const name in run.inputs) this.release(name, run.inputs[name]!.data as Copyable);
    }
  }

  /** Forgets the waiting runs (a reset). */
  clear(): void {
    this.runs = [];
    this.bytes = 0;
  }

  /** A copy into a free buffer of the same type and length where there is one: a fresh typed array costs more than the copy. */
  private copy(name: string, data: Copyable): Copyable {
    if (!ArrayBuffer.isView(data)) return Array.from(data) as unknown as Copyable;
    const reused = this.free.get(name)?.pop();
    if (reused && reused.length === data.length && reused.constructor === data.constructor) {
      reused.set!(data);
      return reused;
    }
    return data.slice();
  }

  private release(name: string, data: Copyable): void {
    if (!ArrayBuffer.isView(data)) return;
    let free = this.free.get(name);
    if (!free) this.free.set(name, (free = []));
    if (free.length < DEFER_MAX_RUNS) free.push(data);
  }
}
