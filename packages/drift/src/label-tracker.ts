import { CONFIDENCE_EDGES, type LabelCounts } from '@edgewise/wire';
import type { TensorLike } from './feature-extraction.js';
import { binIndex } from './numeric-sketch.js';

/** One batch item's prediction: the top class and its score. */
export interface Prediction {
  predicted: number;
  confidence: number;
}

const emptyBins = () => ({ counts: new Array<number>(CONFIDENCE_EDGES.length + 1).fill(0), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
export const emptyLabelCounts = (): LabelCounts => ({ confusion: {}, labeled: emptyBins(), correct: emptyBins() });

/** Adds one labelled prediction to label counts (in place). */
export function countLabel(counts: LabelCounts, label: number, { predicted, confidence }: Prediction): void {
  const cell = `${label}:${predicted}`;
  counts.confusion[cell] = (counts.confusion[cell] ?? 0) + 1;
  const bin = Number.isNaN(confidence) ? -1 : binIndex(CONFIDENCE_EDGES, confidence);
  if (bin < 0) {
    counts.labeled.nan++;
    if (label === predicted) counts.correct.nan++;
    return;
  }
  counts.labeled.counts[bin]!++;
  if (label === predicted) counts.correct.counts[bin]!++;
}

export const labeledTotal = (counts: LabelCounts) => counts.labeled.counts.reduce((a, b) => a + b, 0) + counts.labeled.nan;
export const correctTotal = (counts: LabelCounts) => counts.correct.counts.reduce((a, b) => a + b, 0) + counts.correct.nan;

/** Index of the largest of data[start, start + classes) (the first on ties; NaN never wins): a row's predicted class. */
export function topClassOf(data: ArrayLike<number | bigint>, start: number, classes: number): number {
  let best = 0;
  let top = Number(data[start]);
  for (let c = 1; c < classes; c++) {
    const v = Number(data[start + c]);
    if (v > top) {
      top = v;
      best = c;
    }
  }
  return best;
}

/** Top class and score per batch item of a [batch, classes] (or [classes]) score tensor. */
export function predictionsOf(first: TensorLike | undefined): Prediction[] {
  if (!first || first.dims.length < 1) return [];
  const classes = first.dims[first.dims.length - 1]!;
  const out: Prediction[] = [];
  for (let row = 0; classes > 1 && row < first.data.length / classes; row++) {
    const best = topClassOf(first.data, row * classes, classes);
    out.push({ predicted: best, confidence: Number(first.data[row * classes + best]) });
  }
  return out;
}

/** A minted run's predicted class before its predictions are filled in (classes are ≥ 0). */
const UNFILLED = -1;

/** Whether predictionsOf gives at least one prediction for a tensor of these dims and length. */
export function hasPredictions(first: TensorLike | undefined): boolean {
  if (!first || first.dims.length < 1) return false;
  const classes = first.dims[first.dims.length - 1]!;
  return classes > 1 && first.data.length >= classes;
}

interface Waiting {
  at: number;
  predictions: Prediction[];
}

/**
 * Predictions waiting for their labels: those of runs made with the caller's runId, and apart from
 * them those the SDK named itself (every monitored run of a classifier), so that unlabelled
 * automatic ones never push out a prediction the caller meant to label. Each kind holds at most
 * `maxPending`, none older than `maxAgeMs` (the oldest go first). Only class indices and scores are
 * kept, never inputs.
 *
 * Both are queues on the run path, so neither walks a Map from its front: V8 leaves a deleted
 * entry's hole at the front of a Map until it rehashes, and every fresh iterator walks the holes
 * (a 10,000-entry queue cost 16–22 µs a run that way). Caller-named ids keep their order in an
 * array beside the Map; minted ids are a count, so their predictions sit in a ring by that count.
 */
export class PendingPredictions {
  private readonly named = new Map<string, Waiting>();
  /** Caller-named ids in the order remembered; an entry whose id was reused since is stale. */
  private order: Array<{ id: string; entry: Waiting }> = [];
  private head = 0;
  /** Minted ids: this tracker's prefix and a count, short and never those of another load or worker. */
  private readonly prefix = `${Math.random().toString(36).slice(2, 8)}.`;
  private minted = 0;
  /**
   * Minted runs by count modulo maxPending, in typed arrays allocated once (at the first mint): a
   * batch-1 run allocates nothing on the heap, so 10,000 waiting runs do not grow it by 1–3 MB.
   * Rows beyond the first (batched runs) go to `ringRest`.
   */
  private ring: { seq: Float64Array; at: Float64Array; predicted: Int32Array; confidence: Float64Array; rest: Array<Prediction[] | undefined> } | undefined;
  /** Predictions of caller-named runs that aged out or were pushed out before a label came. */
  expired = 0;

  constructor(
    readonly maxAgeMs = 3_600_000,
    readonly maxPending = 10_000,
  ) {
    if (!(maxAgeMs > 0)) throw new RangeError(`monitor.labels.maxAgeMs must be a positive number of ms; received ${maxAgeMs}.`);
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`monitor.labels.maxPending must be an integer ≥ 1; received ${maxPending}.`);
  }

  /** Keeps a caller-named run's predictions under its id (a reused id names the latest run). */
  remember(runId: string, predictions: Prediction[], now: number): void {
    const entry = { at: now, predictions };
    this.named.set(runId, entry);
    this.order.push({ id: runId, entry });
    this.expireNamed(now);
    while (this.named.size > this.maxPending) this.dropOldestNamed();
  }

  /** Keeps a run's predictions under a minted id, which it returns; the oldest minted one goes when full. */
  rememberMinted(predictions: Prediction[], now: number): string {
    const seq = this.mint(now);
    this.fill(seq, predictions);
    return this.idOf(seq);
  }

  /**
   * Mints an id for a run whose predictions come later (fill): its count. Until filled, take()
   * answers undefined for it and leaves it waiting. The oldest minted one goes when full.
   */
  mint(now: number): number {
    const seq = ++this.minted;
    const n = this.maxPending;
    const ring = (this.ring ??= { seq: new Float64Array(n), at: new Float64Array(n), predicted: new Int32Array(n), confidence: new Float64Array(n), rest: new Array(n) });
    const slot = seq % n;
    ring.seq[slot] = seq;
    ring.at[slot] = now;
    ring.predicted[slot] = UNFILLED;
    ring.rest[slot] = undefined;
    return seq;
  }

  /** The id a minted count is known by outside. */
  idOf(seq: number): string {
    return this.prefix + seq.toString(36);
  }

  /** The predictions of minted run `seq`; nothing when a later mint has taken its place already. */
  fill(seq: number, predictions: readonly Prediction[]): void {
    const ring = this.ring;
    const slot = seq % this.maxPending;
    if (!ring || ring.seq[slot] !== seq) return;
    if (predictions.length === 0) {
      ring.seq[slot] = 0; // nothing to label
      return;
    }
    ring.predicted[slot] = predictions[0]!.predicted;
    ring.confidence[slot] = predictions[0]!.confidence;
    ring.rest[slot] = predictions.length > 1 ? predictions.slice(1) : undefined;
  }

  /** fill() from the run's score tensor: a single row goes into the ring without building a Prediction. */
  fillFrom(seq: number, scores: TensorLike): void {
    if (!hasPredictions(scores)) return this.fill(seq, []);
    const classes = scores.dims[scores.dims.length - 1]!;
    if (scores.data.length >= 2 * classes) return this.fill(seq, predictionsOf(scores));
    const ring = this.ring;
    const slot = seq % this.maxPending;
    if (!ring || ring.seq[slot] !== seq) return;
    const best = topClassOf(scores.data, 0, classes);
    ring.predicted[slot] = best;
    ring.confidence[slot] = Number(scores.data[best]);
    ring.rest[slot] = undefined;
  }

  /** Whether runId is a minted id still waiting for its predictions (fill). */
  unfilled(runId: string): boolean {
    const seq = this.seqOf(runId);
    return seq > 0 && this.ring!.seq[seq % this.maxPending] === seq && this.ring!.predicted[seq % this.maxPending] === UNFILLED;
  }

  /** The count a minted id of this tracker stands for; 0 for any other id. */
  private seqOf(runId: string): number {
    if (!this.ring || !runId.startsWith(this.prefix)) return 0;
    const seq = parseInt(runId.slice(this.prefix.length), 36);
    return seq > 0 ? seq : 0;
  }

  /** The run's predictions, once: undefined when unknown, taken already, too old, or minted and not filled in yet. */
  take(runId: string, now: number): Prediction[] | undefined {
    this.expireNamed(now);
    const entry = this.named.get(runId);
    if (entry) {
      this.named.delete(runId);
      return entry.predictions;
    }
    const seq = this.seqOf(runId);
    const ring = this.ring;
    if (!ring || seq === 0) return undefined;
    const slot = seq % this.maxPending;
    if (ring.seq[slot] !== seq || ring.predicted[slot] === UNFILLED || now - ring.at[slot]! > this.maxAgeMs) return undefined;
    ring.seq[slot] = 0; // taken
    return [{ predicted: ring.predicted[slot]!, confidence: ring.confidence[slot]! }, ...(ring.rest[slot] ?? [])];
  }

  private expireNamed(now: number): void {
    // Order is time order, so the expired ones are at the front.
    while (this.head < this.order.length && now - this.order[this.head]!.entry.at > this.maxAgeMs) this.dropOldestNamed();
  }

  /** Drops the front of the order: counted as expired when it was still waiting (not taken, not reused). */
  private dropOldestNamed(): void {
    const { id, entry } = this.order[this.head++]!;
    if (this.named.get(id) === entry) {
      this.named.delete(id);
      this.expired++;
    }
    // Compact now and then, so the array does not grow with every run ever remembered.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}
