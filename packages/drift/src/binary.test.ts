import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';

describe('ByteWriter / ByteReader', () => {
  it('round-trips any sequence of fields, across buffer growth (property)', () => {
    type Field = { kind: 'u8'; v: number } | { kind: 'varint'; v: number } | { kind: 'f64'; v: number } | { kind: 'f32'; v: number } | { kind: 'string'; v: string } | { kind: 'bytes'; v: Uint8Array };
    const field: fc.Arbitrary<Field> = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((v) => ({ kind: 'u8' as const, v })),
      fc.oneof(fc.nat({ max: 300 }), fc.maxSafeNat()).map((v) => ({ kind: 'varint' as const, v })),
      fc.double().map((v) => ({ kind: 'f64' as const, v })),
      fc.float().map((v) => ({ kind: 'f32' as const, v })),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => ({ kind: 'string' as const, v })),
      fc.uint8Array({ maxLength: 700 }).map((v) => ({ kind: 'bytes' as const, v })),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), (fields) => {
        const w = new ByteWriter();
        for (const f of fields) (w[f.kind] as (v: unknown) => ByteWriter)(f.v);
        const r = new ByteReader(w.finish());
        for (const f of fields) expect(r[f.kind]()).toEqual(f.v);
        expect(r.done).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('varint: small counts take one byte, 2^53 − 1 takes eight', () => {
    expect(new ByteWriter().varint(127).finish()).toHaveLength(1);
    expect(new ByteWriter().varint(128).finish()).toHaveLength(2);
    expect(new ByteWriter().varint(Number.MAX_SAFE_INTEGER).finish()).toHaveLength(8);
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('varint(%s) is a RangeError', (v) => {
    expect(() => new ByteWriter().varint(v)).toThrow(new RangeError(`varint: expected a non-negative safe integer, got ${v}`));
  });

  it('a varint longer than 8 bytes is malformed (not read on into what follows)', () => {
    const bytes = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00]);
    expect(() => new ByteReader(bytes).varint()).toThrow(new SketchFormatError('Sketch bytes malformed: varint longer than 8 bytes.'));
  });

  it('reading past the end names what was needed and where', () => {
    const r = new ByteReader(Uint8Array.from([1, 2, 3]));
    r.u8();
    let thrown: unknown;
    try {
      r.f64();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SketchFormatError);
    expect(thrown).toMatchObject({ name: 'SketchFormatError', code: 'E_SKETCH_FORMAT', message: 'Sketch bytes truncated: need 8 more at offset 1 of 3.' });
    expect(() => new ByteReader(Uint8Array.from([5, 1])).string()).toThrow('need 5 more at offset 1 of 2');
  });

  it('reads a view into a larger buffer from its own offset', () => {
    const backing = Uint8Array.from([9, 9, 42, 7]);
    const r = new ByteReader(backing.subarray(2));
    expect([r.u8(), r.u8(), r.done]).toEqual([42, 7, true]);
  });
});
