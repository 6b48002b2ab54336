/**
 * Cuts a stream of network pieces (any sizes) into chunks of exactly `chunkSize` bytes (the last one
 * shorter), each handed over in a buffer of exactly its size. Two buffers take turns, so one chunk
 * can be written while the next fills, and a download holds two chunks, not one per chunk awaiting
 * GC. `onChunk` must be done with the buffer it was handed by the time it resolves for the next one. Exact-size buffers matter: IndexedDB's structured
 * clone stores a view's whole underlying buffer, so `bigBuffer.subarray(…)` views write the file n times.
 */
export class Chunker {
  private chunk: Uint8Array;
  private spare: Uint8Array | undefined;
  private filled = 0;

  constructor(
    private readonly chunkSize: number,
    /** Bytes still expected, so the last chunk gets a buffer of its exact size. */
    private remaining: number,
  ) {
    this.chunk = new Uint8Array(Math.min(chunkSize, Math.max(remaining, 0)));
  }

  /** Feeds one piece; awaits `onChunk` for each chunk it completes before reusing the buffer. */
  async push(piece: Uint8Array, onChunk: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < piece.byteLength) {
      if (this.chunk.byteLength === 0) throw new RangeError('Chunker: more bytes than expected.');
      const n = Math.min(piece.byteLength - offset, this.chunk.byteLength - this.filled);
      this.chunk.set(piece.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.chunk.byteLength) {
        const full = this.chunk;
        await onChunk(full);
        this.remaining -= full.byteLength;
        this.filled = 0;
        this.chunk = this.spare && this.spare.byteLength <= this.remaining ? this.spare : new Uint8Array(Math.min(full.byteLength, this.remaining));
        this.spare = full;
      }
    }
  }

  /** Bytes received into the chunk not yet complete (lost if the connection drops now). */
  get pending(): number {
    return this.filled;
  }
}
