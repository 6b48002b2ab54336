import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';

const FORMAT_VERSION = 1;

/**
 * Counts per category, exact up to `capacity` distinct categories; past that, Misra-Gries frequent
 * items: every count is under-estimated by at most `errorBound` (n / capacity), and any category
 * with frequency above that is kept. Mergeable (Agarwal et al. 2012).
 */
export class CategoricalSketch {
  counts = new Map<string, number>();
  n = 0;
  missing = 0;
  /** Total amount subtracted by Misra-Gries decrements: the max under-count of any category. */
  errorBound = 0;

  constructor(readonly capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`CategoricalSketch: capacity must be an integer ≥ 2; received ${capacity}.`);
  }

  /** Values observed (excluding missing), as NumericSketch.count. */
  get count(): number {
    return this.n;
  }

  update(category: string | number | null | undefined, weight = 1): void {
    if (category === null || category === undefined || category === '') {
      this.missing += weight;
      return;
    }
    const key = String(category);
    this.n += weight;
    this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
    if (this.counts.size > this.capacity) this.shrink();
  }

  merge(other: CategoricalSketch): this {
    for (const [key, count] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    this.n += other.n;
    this.missing += other.missing;
    this.errorBound += other.errorBound;
    if (this.counts.size > this.capacity) this.shrink();
    return this;
  }

  /** Subtracts the (capacity+1)-th largest count from all and drops what reaches zero. */
  private shrink(): void {
    const sorted = [...this.counts.values()].sort((a, b) => b - a);
    const cut = sorted[this.capacity]!;
    this.errorBound += cut;
    for (const [key, count] of this.counts) {
      if (count <= cut) this.counts.delete(key);
      else this.counts.set(key, count - cut);
    }
  }

  write(w: ByteWriter): void {
    w.u8(FORMAT_VERSION).varint(this.capacity).varint(this.n).varint(this.missing).varint(this.errorBound);
    const entries = [...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    w.varint(entries.length);
    for (const [key, count] of entries) w.string(key).varint(count);
  }

  static read(r: ByteReader): CategoricalSketch {
    const version = r.u8();
    if (version !== FORMAT_VERSION) throw new SketchFormatError(`Categorical sketch format ${version} is not supported (expected ${FORMAT_VERSION}).`);
    const sketch = new CategoricalSketch(r.varint());
    sketch.n = r.varint();
    sketch.missing = r.varint();
    sketch.errorBound = r.varint();
    const size = r.varint();
    if (size > sketch.capacity) throw new SketchFormatError(`Categorical sketch holds ${size} categories, over its capacity ${sketch.capacity}.`);
    for (let i = 0; i < size; i++) sketch.counts.set(r.string(), r.varint());
    return sketch;
  }
}
