import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportId } from './report-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/* The collector drops a resent report by its id, so ids must be unique v4 UUIDs on every platform. */
describe('report ids', () => {
  it('are crypto.randomUUID where it exists', () => {
    vi.stubGlobal('crypto', {
      randomUUID: () => '11111111-2222-4333-8444-555555555555',
      getRandomValues: () => {
        throw new Error('randomUUID was there: not needed');
      },
    });
    expect(reportId()).toBe('11111111-2222-4333-8444-555555555555');
  });

  it('are built from getRandomValues where randomUUID is missing (React Native), with the v4 version and variant bits', () => {
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.set(Array.from({ length: 16 }, (_, i) => i * 16 + 1)) });
    expect(reportId()).toBe('01112131-4151-4171-8191-a1b1c1d1e1f1');
  });

  it('fall back to Math.random without any crypto: one draw of 0–255 per byte, still v4', () => {
    vi.stubGlobal('crypto', undefined);
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect(reportId()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    vi.restoreAllMocks();
    const ids = new Set(Array.from({ length: 500 }, reportId));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
