import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';
import { DEFAULT_K, KllSketch } from './kll-sketch.js';

const FORMAT_VERSION = 1;

/**
 * Everything Edgewise keeps about one numeric stream (a feature, a confidence, a latency): a KLL
 * quantile sketch, counts of missing/NaN/out-of-range values, and, when a baseline fixed bin edges,
 * exact counts per bin (so PSI and Jensen-Shannon need no approximation).
 */
export class NumericSketch {
  readonly kll: KllSketch;
  missing = 0;
  nan = 0;
  belowRange = 0;
  aboveRange = 0;
  /** counts[i] = values in (edges[i-1], edges[i]]; counts[0] below edges[0]; last above the last edge. */
  readonly binCounts: number[] | undefined;
  sum = 0;
  /** The edges as a typed array: the bin search reads them on every update. */
  private readonly edgeArray: Float64Array | undefined;

  constructor(
    readonly edges?: readonly number[],
    readonly range?: readonly [number, number],
    k = DEFAULT_K,
  ) {
    this.kll = new KllSketch(k);
    if (edges) {
      for (let i = 1; i < edges.length; i++) {
        if (!(edges[i]! > edges[i - 1]!)) throw new RangeError(`NumericSketch: edges must increase strictly; edges[${i}] = ${edges[i]} after ${edges[i - 1]}.`);
      }
      this.binCounts = new Array(edges.length + 1).fill(0);
      this.edgeArray = Float64Array.from(edges);
    }
  }

  /** Values observed (excluding missing and NaN). */
  get count(): number {
    return this.kll.n;
  }

  update(value: number | null | undefined): void {
    if (value === null || value === undefined) {
      this.missing++;
      return;
    }
    if (Number.isNaN(value)) {
      this.nan++;
      return;
    }
    this.kll.update(value);
    this.sum += value;
    if (this.range) {
      if (value < this.range[0]) this.belowRange++;
      else if (value > this.range[1]) this.aboveRange++;
    }
    if (this.binCounts) this.binCounts[binIndex(this.edgeArray!, value)]!++;
  }

  merge(other: NumericSketch): this {
    if (!sameEdges(this.edges, other.edges)) throw new RangeError('NumericSketch.merge: sketches were built on different bin edges.');
    this.kll.merge(other.kll);
    this.missing += other.missing;
    this.nan += other.nan;
    this.belowRange += other.belowRange;
    this.aboveRange += other.aboveRange;
    this.sum += other.sum;
    other.binCounts?.forEach((c, i) => (this.binCounts![i]! += c));
    return this;
  }

  write(w: ByteWriter): void {
    w.u8(FORMAT_VERSION).varint(this.missing).varint(this.nan).varint(this.belowRange).varint(this.aboveRange).f64(this.sum);
    w.u8(this.range ? 1 : 0);
    if (this.range) w.f64(this.range[0]).f64(this.range[1]);
    w.varint(this.edges?.length ?? 0);
    this.edges?.forEach((e) => w.f64(e));
    this.binCounts?.forEach((c) => w.varint(c));
    this.kll.write(w);
  }

  static read(r: ByteReader): NumericSketch {
    const version = r.u8();
    if (version !== FORMAT_VERSION) throw new SketchFormatError(`Numeric sketch format ${version} is not supported (expected ${FORMAT_VERSION}).`);
    const [missing, nan, below, above] = [r.varint(), r.varint(), r.varint(), r.varint()];
    const sum = r.f64();
    const range: [number, number] | undefined = r.u8() === 1 ? [r.f64(), r.f64()] : undefined;
    const edgeCount = r.varint();
    const edges = edgeCount > 0 ? Array.from({ length: edgeCount }, () => r.f64()) : undefined;
    const counts = edges ? Array.from({ length: edgeCount + 1 }, () => r.varint()) : undefined;
    const kll = KllSketch.read(new ByteReader(r.bytes()));
    const sketch = new NumericSketch(edges, range, kll.k);
    Object.assign(sketch, { missing, nan, belowRange: below, aboveRange: above, sum });
    (sketch as { kll: KllSketch }).kll = kll;
    counts?.forEach((c, i) => (sketch.binCounts![i] = c));
    return sketch;
  }
}

/** Up to this many edges a branch-free linear count beats binary search (measured: 77 vs 47 M/s at 9 edges, 27 vs 17 at 31). */
const LINEAR_SEARCH_MAX_EDGES = 32;

/** Index of the bin holding v: 0 for v ≤ edges[0], …, edges.length for v > last edge. */
export function binIndex(edges: ArrayLike<number>, v: number): number {
  if (edges.length <= LINEAR_SEARCH_MAX_EDGES) {
    // The number of edges below v, summed without a branch to mispredict on random data.
    let index = 0;
    for (let i = 0; i < edges.length; i++) index += (edges[i]! < v) as unknown as number;
    return index;
  }
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function sameEdges(a?: readonly number[], b?: readonly number[]): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
