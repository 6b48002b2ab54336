/** A stretch of speech, in seconds from the start of the stream. */
export interface SpeechSegment {
  start: number;
  end: number;
}

export interface SegmenterOptions {
  /** Seconds of audio per probability (silero at 16 kHz: 512 samples = 0.032 s). */
  frameSeconds: number;
  /** Speech starts when a frame's probability reaches this. Silero's default: 0.5. */
  threshold?: number;
  /** …and ends only once probabilities stay below this (hysteresis; silero uses threshold − 0.15). */
  negativeThreshold?: number;
  /** Pauses shorter than this stay inside a segment (between words, not between phrases). */
  minSilenceSeconds?: number;
  /** Blips shorter than this are dropped (a cough, a click). */
  minSpeechSeconds?: number;
}

/**
 * Turns per-frame speech probabilities into speech segments, the way silero's VADIterator does:
 * start at `threshold`, end after `minSilenceSeconds` below `negativeThreshold`.
 */
export class SpeechSegmenter {
  readonly segments: SpeechSegment[] = [];
  private frame = 0;
  private start: number | undefined;
  private silentSince: number | undefined;
  private readonly threshold: number;
  private readonly negative: number;
  private readonly minSilenceFrames: number;
  private readonly minSpeechFrames: number;

  constructor(private readonly options: SegmenterOptions) {
    this.threshold = options.threshold ?? 0.5;
    this.negative = options.negativeThreshold ?? this.threshold - 0.15;
    this.minSilenceFrames = Math.ceil((options.minSilenceSeconds ?? 0.3) / options.frameSeconds);
    this.minSpeechFrames = Math.ceil((options.minSpeechSeconds ?? 0.25) / options.frameSeconds);
  }

  get speaking(): boolean {
    return this.start !== undefined;
  }

  /** The segment still open, up to the latest frame (for live display). */
  get open(): SpeechSegment | undefined {
    return this.start === undefined ? undefined : { start: this.start * this.options.frameSeconds, end: this.frame * this.options.frameSeconds };
  }

  /** Feeds one frame's probability; returns a segment when this frame closes one. */
  push(probability: number): SpeechSegment | undefined {
    const frame = this.frame++;
    if (this.start === undefined) {
      if (probability >= this.threshold) this.start = frame;
      return undefined;
    }
    if (probability >= this.negative) {
      this.silentSince = undefined;
      return undefined;
    }
    this.silentSince ??= frame;
    return frame - this.silentSince + 1 >= this.minSilenceFrames ? this.close(this.silentSince) : undefined;
  }

  /** Ends the stream: closes a segment still open. */
  finish(): SpeechSegment | undefined {
    return this.start === undefined ? undefined : this.close(this.silentSince ?? this.frame);
  }

  private close(endFrame: number): SpeechSegment | undefined {
    const start = this.start!;
    this.start = undefined;
    this.silentSince = undefined;
    if (endFrame - start < this.minSpeechFrames) return undefined;
    const segment = { start: start * this.options.frameSeconds, end: endFrame * this.options.frameSeconds };
    this.segments.push(segment);
    return segment;
  }
}

/** Intersection over union of two segment lists' covered time: 1 when they agree exactly. */
export function segmentOverlap(a: readonly SpeechSegment[], b: ReadonlyArray<readonly [number, number] | SpeechSegment>): number {
  const norm = (s: readonly [number, number] | SpeechSegment): [number, number] => (Array.isArray(s) ? [s[0], s[1]] : [(s as SpeechSegment).start, (s as SpeechSegment).end]);
  const bs = b.map(norm);
  let intersection = 0;
  for (const s of a) for (const [x, y] of bs) intersection += Math.max(0, Math.min(s.end, y) - Math.max(s.start, x));
  const total = a.reduce((n, s) => n + s.end - s.start, 0) + bs.reduce((n, [x, y]) => n + y - x, 0);
  return total === 0 ? 1 : intersection / (total - intersection);
}
