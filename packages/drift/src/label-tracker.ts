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

/** Top class and score per batch item of a [batch, classes] (or [classes]) score tensor. */
export function predictionsOf(first: TensorLike | undefined): Prediction[] {
  if (!first || first.dims.length < 1) return [];
  const classes = first.dims[first.dims.length - 1]!;
  const out: Prediction[] = [];
  for (let row = 0; classes > 1 && row < first.data.length / classes; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (Number(first.data[row * classes + c]) > Number(first.data[row * classes + best])) best = c;
    out.push({ predicted: best, confidence: Number(first.data[row * classes + best]) });
  }
  return out;
}

/**
 * Predictions waiting for their labels: those of runs made with the caller's runId, and apart from
 * them those the SDK named itself (every monitored run of a classifier), so that unlabelled
 * automatic ones never push out a prediction the caller meant to label. Each kind holds at most
 * `maxPending`, none older than `maxAgeMs` (the oldest go first). Only class indices and scores are
 * kept, never inputs.
 */
export class PendingPredictions {
  private readonly named = new Map<string, { at: number; predictions: Prediction[] }>();
  private readonly automatic = new Map<string, { at: number; predictions: Prediction[] }>();
  /** Predictions of caller-named runs that aged out or were pushed out before a label came. */
  expired = 0;

  constructor(
    readonly maxAgeMs = 3_600_000,
    readonly maxPending = 10_000,
  ) {
    if (!(maxAgeMs > 0)) throw new RangeError(`monitor.labels.maxAgeMs must be a positive number of ms; received ${maxAgeMs}.`);
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`monitor.labels.maxPending must be an integer ≥ 1; received ${maxPending}.`);
  }

  /** Keeps a run's predictions under its id; `automatic` for ids the SDK minted (not counted as expired). */
  remember(runId: string, predictions: Prediction[], now: number, automatic = false): void {
    const pending = automatic ? this.automatic : this.named;
    pending.delete(runId); // a reused id names the latest run
    pending.set(runId, { at: now, predictions });
    this.expire(pending, now, !automatic);
    while (pending.size > this.maxPending) {
      pending.delete(pending.keys().next().value!);
      if (!automatic) this.expired++;
    }
  }

  /** The run's predictions, once: undefined when unknown, taken already or too old. */
  take(runId: string, now: number): Prediction[] | undefined {
    this.expire(this.named, now, true);
    this.expire(this.automatic, now, false);
    const entry = this.named.get(runId) ?? this.automatic.get(runId);
    if (!this.named.delete(runId)) this.automatic.delete(runId);
    return entry?.predictions;
  }

  private expire(pending: Map<string, { at: number }>, now: number, count: boolean): void {
    // Insertion order is time order, so the expired ones are at the front.
    for (const [id, entry] of pending) {
      if (now - entry.at <= this.maxAgeMs) break;
      pending.delete(id);
      if (count) this.expired++;
    }
  }
}
