import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chunker } from './chunker.js';

describe('Chunker', () => {
  it('cuts any piece sizes into exact-size chunks in buffers of their own, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1 }), async (size, chunkSize, cuts) => {
        const file = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 255);
        const chunker = new Chunker(chunkSize, size);
        const seen: number[][] = [];
        let offset = 0;
        for (let i = 0; offset < size; i++) {
          const n = Math.min(cuts[i % cuts.length]!, size - offset);
          await chunker.push(file.subarray(offset, offset + n), async (chunk) => {
            // What a store sees: exactly the chunk, in a buffer of exactly its size.
            expect(chunk.byteLength).toBe(chunk.buffer.byteLength);
            seen.push(Array.from(chunk));
          });
          offset += n;
        }
        expect(chunker.pending).toBe(0);
        expect(seen.every((c, i) => c.length === (i < seen.length - 1 ? chunkSize : c.length))).toBe(true);
        expect(seen.flat()).toEqual(Array.from(file));
      }),
      { numRuns: 200 },
    );
  });

  it('does not refill a buffer while the write handed it is still in flight', async () => {
    const chunker = new Chunker(4, 16);
    const written: number[][] = [];
    let inFlight: { chunk: Uint8Array; copy: number[] } | undefined;
    // A writer with one write in flight: it finishes the previous write when handed the next chunk.
    const write = async (chunk: Uint8Array) => {
      await new Promise((r) => setTimeout(r, 1));
      if (inFlight) {
        expect(Array.from(inFlight.chunk)).toEqual(inFlight.copy);
        written.push(inFlight.copy);
      }
      inFlight = { chunk, copy: Array.from(chunk) };
    };
    await chunker.push(Uint8Array.from({ length: 16 }, (_, i) => i), write);
    written.push(inFlight!.copy);
    expect(written).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]);
  });
});
