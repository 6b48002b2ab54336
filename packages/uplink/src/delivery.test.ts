import { describe, expect, it } from 'vitest';
import { classify, retryAfterMs } from './delivery.js';

describe('what the uplink does with an answer', () => {
  it('delivered: 2xx, and 409 (counted before)', () => {
    expect(classify({ status: 202 })).toEqual({ kind: 'delivered', duplicate: false });
    expect(classify({ status: 409, body: '{"error":"already received"}' })).toEqual({ kind: 'delivered', duplicate: true });
  });

  it('retry: 408, 425, 429, 5xx and anything unexpected, honouring Retry-After', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 302, 0]) expect(classify({ status }).kind, String(status)).toBe('retry');
    expect(classify({ status: 503, body: '{"error":"database unavailable"}', retryAfter: '7' })).toEqual({ kind: 'retry', reason: 'HTTP 503: database unavailable', retryAfterMs: 7000 });
  });

  it('drop: the other 4xx, with the collector\'s reason', () => {
    expect(classify({ status: 422, body: '{"error":"latencyMs: 9 counted"}' })).toEqual({ kind: 'drop', reason: 'HTTP 422: latencyMs: 9 counted' });
    expect(classify({ status: 400, body: 'not json' })).toEqual({ kind: 'drop', reason: 'HTTP 400: not json' });
    for (const status of [401, 403, 404, 413, 415]) expect(classify({ status }).kind).toBe('drop');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    // Seconds only when the whole (trimmed) header is digits: ' 7 ' is 7 s, not the year 2001.
    expect(retryAfterMs(' 7 ', now)).toBe(7000);
    expect(retryAfterMs('12abc', now)).toBeUndefined();
    expect(retryAfterMs('abc12', now)).toBeUndefined();
    // A date already past: retry now, not a negative wait.
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('delivered means 200–299 exactly; 300 is not delivered', () => {
    for (const status of [200, 201, 299]) expect(classify({ status }).kind, String(status)).toBe('delivered');
    expect(classify({ status: 300 }).kind).toBe('retry');
    expect(classify({ status: 199 }).kind).toBe('retry');
  });

  it("says why: the collector's { error } when it is a string, else the body's first 200 characters, else the status", () => {
    expect(classify({ status: 503 })).toStrictEqual({ kind: 'retry', reason: 'HTTP 503' });
    expect(classify({ status: 400, body: '{"error":5}' })).toStrictEqual({ kind: 'drop', reason: 'HTTP 400: {"error":5}' });
    expect(classify({ status: 400, body: '' })).toStrictEqual({ kind: 'drop', reason: 'HTTP 400' });
    const long = 'x'.repeat(300);
    expect(classify({ status: 502, body: long })).toStrictEqual({ kind: 'retry', reason: `HTTP 502: ${'x'.repeat(200)}` });
  });
});
