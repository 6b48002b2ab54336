/**
 * Cuts a stream of network pieces (any sizes) into chunks of exactly `chunkSize` bytes (the last one
 * shorter), each in its own ArrayBuffer. Own buffers matter: IndexedDB's structured clone stores a
 * view's whole underlying buffer, so storing `bigBuffer.subarray(…)` views writes the file n times.
 */
export class Chunker {
  private chunk: Uint8Array;
  private filled = 0;

  constructor(
    private readonly chunkSize: number,
    /** Bytes still expected, so the last chunk is allocated at its exact size. */
    private remaining: number,
  ) {
    this.chunk = new Uint8Array(Math.min(chunkSize, Math.max(remaining, 0)));
  }

  /** Feeds one piece; returns the chunks it completed (usually none or one). */
  push(piece: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    let offset = 0;
    while (offset < piece.byteLength) {
      if (this.chunk.byteLength === 0) throw new RangeError('Chunker: more bytes than expected.');
      const n = Math.min(piece.byteLength - offset, this.chunk.byteLength - this.filled);
      this.chunk.set(piece.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.chunk.byteLength) {
        done.push(this.chunk);
        this.remaining -= this.chunk.byteLength;
        this.chunk = new Uint8Array(Math.min(this.chunkSize, this.remaining));
        this.filled = 0;
      }
    }
    return done;
  }

  /** Bytes received into the chunk not yet complete (lost if the connection drops now). */
  get pending(): number {
    return this.filled;
  }
}
