import { describe, expect, it } from 'vitest';
import { ReportInvalidError } from './errors.js';
import { parseJsonBody } from './json-body.js';

describe('parseJsonBody', () => {
  it('returns the parsed value, escapes included', () => {
    expect(parseJsonBody('{"a":[1,{"b":"c"}]}')).toEqual({ a: [1, { b: 'c' }] });
    expect(parseJsonBody('{"caf\\u00e9":"\\u0041"}')).toEqual({ café: 'A' });
    expect(parseJsonBody('{"proto":1,"__proto":2}')).toEqual({ proto: 1, __proto: 2 });
  });

  it('refuses text that is not JSON with a typed error saying so', () => {
    for (const text of ['', '{', '{"a":}', '<html>', 'undefined']) {
      const error = (() => {
        try {
          parseJsonBody(text);
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(ReportInvalidError);
      expect((error as ReportInvalidError).code).toBe('E_REPORT_INVALID');
      expect((error as Error).message, text).toMatch(/^body is not valid JSON: ./);
    }
  });

  it('refuses a "__proto__" key at any depth, spelt out or escaped, but not the text inside a value', () => {
    for (const text of ['{"__proto__":{"x":1}}', '{"a":{"b":[{"__proto__":null}]}}', '{"\\u005f_proto__":{}}', '{"__pro\\u0074o__":1}']) {
      expect(() => parseJsonBody(text), text).toThrow(new ReportInvalidError('body: the key "__proto__" is not allowed'));
    }
    expect(parseJsonBody('{"note":"__proto__"}')).toEqual({ note: '__proto__' });
    expect(parseJsonBody('["__proto__"]')).toEqual(['__proto__']);
  });
});
