import { describe, expect, it } from 'vitest';
import { isValidKey, keyProblem, RESERVED_KEYS } from './report-keys.js';

describe('report keys', () => {
  it('accept names devices send: words, versions, unicode letters, punctuation, spaces', () => {
    for (const k of ['temp_max', '1.0.0', 'silero-vad', 'Zürich', '東京', 'a b', '__other__', 'v2+build/7', '0']) expect(keyProblem(k), k).toBeUndefined();
  });

  it('refuse NUL and other control characters, unpaired surrogates, empty, too long, prototype names', () => {
    expect(keyProblem('a\u0000b')).toMatch(/control characters such as NUL/);
    expect(keyProblem('line\nbreak')).toMatch(/control/);
    expect(keyProblem('\u0085')).toMatch(/control/);
    expect(keyProblem('x\ud800')).toMatch(/unpaired surrogates/);
    expect(keyProblem('\udc00x')).toMatch(/unpaired surrogates/);
    expect(keyProblem('\u200b')).toBeDefined(); // zero-width space: a format character
    expect(keyProblem('')).toMatch(/empty/);
    expect(keyProblem('k'.repeat(129))).toMatch(/at most 128/);
    for (const name of RESERVED_KEYS) expect(keyProblem(name), name).toMatch(/reserved/);
  });

  it('accept a surrogate pair (an emoji) and refuse it split', () => {
    expect(isValidKey('ok 😀')).toBe(true);
    expect(isValidKey('ok \ud83d')).toBe(false);
  });
});

describe('report key limits', () => {
  it('128 code units is the longest accepted key', () => {
    expect(keyProblem('k'.repeat(128))).toBeUndefined();
    expect(keyProblem('k'.repeat(129))).toBe('must be at most 128 characters (has 129)');
  });
  it('refuses every Object.prototype member name', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) expect(RESERVED_KEYS.has(name), name).toBe(true);
    expect(RESERVED_KEYS.has('__proto__')).toBe(true);
    expect(RESERVED_KEYS.has('prototype')).toBe(true);
  });
});
