import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Js } from '../../packages/store/src/sha256-js.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256Js (the fallback for platforms without WebCrypto)', () => {
  it('matches FIPS 180-4 test vectors', () => {
    expect(hex(sha256Js(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256Js(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256Js(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
  it('agrees with node:crypto on every length around the block and padding boundaries, and random data', () => {
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255);
      expect(hex(sha256Js(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => hex(sha256Js(data)) === createHash('sha256').update(data).digest('hex')));
  });
});
