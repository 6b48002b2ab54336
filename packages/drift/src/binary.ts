/** Little-endian byte writer/reader for the sketches' compact binary form. */
export class ByteWriter {
  private buffer = new ArrayBuffer(256);
  private view = new DataView(this.buffer);
  private offset = 0;

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.byteLength) return;
    let size = this.buffer.byteLength * 2;
    while (size < this.offset + bytes) size *= 2;
    const next = new ArrayBuffer(size);
    new Uint8Array(next).set(new Uint8Array(this.buffer, 0, this.offset));
    this.buffer = next;
    this.view = new DataView(next);
  }
  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.offset++, v);
    return this;
  }
  /** Unsigned LEB128: counts are usually small, so most take one or two bytes. */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint: expected a non-negative safe integer, got ${v}`);
    while (v >= 0x80) {
      this.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    return this.u8(v);
  }
  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.offset, v, true);
    this.offset += 8;
    return this;
  }
  f32(v: number): this {
    this.ensure(4);
    this.view.setFloat32(this.offset, v, true);
    this.offset += 4;
    return this;
  }
  string(s: string): this {
    const bytes = new TextEncoder().encode(s);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    new Uint8Array(this.buffer, this.offset, bytes.length).set(bytes);
    this.offset += bytes.length;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.ensure(b.length);
    new Uint8Array(this.buffer, this.offset, b.length).set(b);
    this.offset += b.length;
    return this;
  }
  finish(): Uint8Array {
    return new Uint8Array(this.buffer.slice(0, this.offset));
  }
}

/** Thrown for truncated or malformed sketch bytes. */
export class SketchFormatError extends Error {
  readonly code = 'E_SKETCH_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'SketchFormatError';
  }
}

export class ByteReader {
  private readonly view: DataView;
  private offset = 0;
  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  private need(bytes: number): void {
    if (this.offset + bytes > this.data.byteLength) {
      throw new SketchFormatError(`Sketch bytes truncated: need ${bytes} more at offset ${this.offset} of ${this.data.byteLength}.`);
    }
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new SketchFormatError('Sketch bytes malformed: varint longer than 8 bytes.');
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }
  string(): string {
    const length = this.varint();
    this.need(length);
    const s = new TextDecoder().decode(this.data.subarray(this.offset, this.offset + length));
    this.offset += length;
    return s;
  }
  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const b = this.data.slice(this.offset, this.offset + length);
    this.offset += length;
    return b;
  }
  get done(): boolean {
    return this.offset === this.data.byteLength;
  }
}
