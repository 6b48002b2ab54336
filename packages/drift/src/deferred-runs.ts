import type { TensorLike } from './feature-extraction.js';

/**
 * A run whose feature pass and sketch updates wait: copies of the inputs features are read from,
 * a copy of its (small) score tensor, and what else the run gave. Slots are reused from batch to
 * batch: apply() must read a run, not keep it.
 */
export interface DeferredRun {
  inputs: Record<string, TensorLike>;
  /** The first output, copied: its predictions are worked out when the run is applied. */
  scores: TensorLike;
  latencyMs: number;
  backend: string;
  /** When it ran (the monitor's clock): the window it counts in. */
  at: number;
  /** The count of the id minted for this run, whose predictions are filled in when it is applied; 0 for none. */
  minted: number;
}

/** Runs waiting before they are applied on the caller's path after all (a loop that never idles). */
export const DEFER_MAX_RUNS = 32;
/** Input bytes copied for waiting runs before they are applied the same way (large inputs). */
export const DEFER_MAX_BYTES = 1 << 20;

/** performance.now where there is one (browsers, Node, React Native), else Date.now. */
export const monotonicMs: () => number = typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : Date.now;

type Copyable = ArrayLike<number | bigint> & { slice(): Copyable; set?(from: ArrayLike<number | bigint>): void };
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The monitor's work batched. Measured in place (MNIST int8, Node WASM, one thread, this 2-core
 * VM), a run's feature pass and sketch updates cost 10 µs right after the engine's run and 34 µs
 * after 2 ms of idle time (caches and the core's state gone cold), against 3 µs in a warm loop.
 * So run() only copies what the batch reads later (the inputs features are read from, the score
 * tensor) into a slot of a previous batch and queues it; DEFER_MAX_RUNS of them (or
 * DEFER_MAX_BYTES of copies) are applied in one batch, where the sketches stay warm, or fewer
 * whenever anything reads the monitor. Right after an engine's run every object touched is a cache
 * miss, so the caller's path allocates nothing in the steady state (a fresh run object, its copies
 * and its predictions cost 2–3 µs there, measured). No timer: arming one cost 18 µs a run after
 * idle time, and one firing inside an engine's own awaits lands on the caller's path anyway.
 */
export class DeferredRuns {
  private readonly slots: DeferredRun[] = [];
  private count = 0;
  private bytes = 0;

  /** How long the first add() of the current batch took (timed only with onCost). */
  private addMs = 0;

  /**
   * `onCost`, when given, hears what each batch cost the monitor: its apply time plus its runs'
   * add() time (the first add of a batch is timed, so two clock reads per batch, not per run).
   */
  constructor(
    private readonly apply: (run: DeferredRun) => void,
    private readonly onCost?: (ms: number, runs: number) => void,
  ) {}

  /** Runs waiting now (diagnostics, tests). */
  get waiting(): number {
    return this.count;
  }

  /** Copies what the run's features and predictions are read from (the caller may refill its buffers at once) and queues it. */
  add(inputs: Record<string, TensorLike>, featureInputs: readonly string[], scores: TensorLike, latencyMs: number, backend: string, at: number, minted: number): void {
    const started = this.onCost && this.count === 0 ? monotonicMs() : -1;
    const slot = (this.slots[this.count] ??= { inputs: {}, scores: { data: new Float32Array(0), dims: [] }, latencyMs: 0, backend, at: 0, minted: 0 });
    for (let i = 0; i < featureInputs.length; i++) {
      const name = featureInputs[i]!;
      const tensor = inputs[name];
      if (!tensor) {
        if (name in slot.inputs) delete slot.inputs[name];
        continue;
      }
      const held = (slot.inputs[name] ??= { data: new Float32Array(0), dims: tensor.dims }) as Mutable<TensorLike>;
      held.data = copyInto(held.data as Copyable, tensor.data as Copyable) as TensorLike['data'];
      // dims are readonly in every tensor type the SDK takes; only the data is refilled in place.
      held.dims = tensor.dims;
      this.bytes += ArrayBuffer.isView(held.data) ? held.data.byteLength : held.data.length * 8;
    }
    const heldScores = slot.scores as Mutable<TensorLike>;
    heldScores.data = copyInto(heldScores.data as Copyable, scores.data as Copyable) as TensorLike['data'];
    heldScores.dims = scores.dims;
    slot.latencyMs = latencyMs;
    slot.backend = backend;
    slot.at = at;
    slot.minted = minted;
    this.count++;
    if (started >= 0) this.addMs = monotonicMs() - started;
    if (this.count >= DEFER_MAX_RUNS || this.bytes >= DEFER_MAX_BYTES) this.flush();
  }

  /** Applies every waiting run, oldest first. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    this.bytes = 0;
    const started = this.onCost ? monotonicMs() : -1;
    for (let i = 0; i < n; i++) this.apply(this.slots[i]!);
    if (started >= 0) this.onCost!(monotonicMs() - started + this.addMs * n, n);
  }

  /** Forgets the waiting runs (a reset), showing each to `last` first: what outlives a reset is taken from it there. */
  clear(last?: (run: DeferredRun) => void): void {
    const n = this.count;
    this.count = 0;
    this.bytes = 0;
    if (last) for (let i = 0; i < n; i++) last(this.slots[i]!);
  }
}

/** `from` copied into `into` where it fits (same type and length): a fresh typed array costs more than the copy. */
function copyInto(into: Copyable, from: Copyable): Copyable {
  if (!ArrayBuffer.isView(from)) return Array.from(from) as unknown as Copyable;
  if (into.length === from.length && into.constructor === from.constructor) {
    into.set!(from);
    return into;
  }
  const copy = from.slice();
  // Node's Buffer#slice is a view of the caller's memory, not a copy: a Buffer is copied into a
  // plain Uint8Array (a fresh one per run, as it never matches the Buffer's constructor).
  return (copy as unknown as Uint8Array).buffer === (from as unknown as Uint8Array).buffer ? (new Uint8Array(from as unknown as Uint8Array) as unknown as Copyable) : copy;
}
