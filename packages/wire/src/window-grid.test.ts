import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_MS, gridWindowAt, isGridWindow, isWindowClosed } from './window-grid.js';

describe('window grid', () => {
  it('cuts time at multiples of the window length from the epoch', () => {
    const t = Date.UTC(2026, 11, 2, 13, 37, 12, 345);
    expect(gridWindowAt(t)).toEqual({ start: Date.UTC(2026, 11, 2, 13), end: Date.UTC(2026, 11, 2, 14) });
    expect(gridWindowAt(Date.UTC(2026, 11, 2, 14))).toEqual({ start: Date.UTC(2026, 11, 2, 14), end: Date.UTC(2026, 11, 2, 15) });
    expect(gridWindowAt(t, 60_000).start).toBe(Date.UTC(2026, 11, 2, 13, 37));
  });

  it('two instants in one cell give the same window, so timestamps cannot link reports', () => {
    const a = gridWindowAt(Date.UTC(2026, 0, 1, 5, 0, 1));
    const b = gridWindowAt(Date.UTC(2026, 0, 1, 5, 59, 59, 999));
    expect(a).toEqual(b);
    expect(isGridWindow(a)).toBe(true);
    expect(isGridWindow({ start: a.start + 1, end: a.end + 1 })).toBe(false);
    expect(isGridWindow({ start: a.start, end: a.start + DEFAULT_WINDOW_MS / 2 })).toBe(false);
  });

  it('refuses window lengths that are not whole milliseconds ≥ 1 s', () => {
    expect(() => gridWindowAt(0, 999)).toThrow(/windowMs/);
    expect(gridWindowAt(1500, 1000)).toEqual({ start: 1000, end: 2000 }); // 1 s, the shortest, is allowed
    expect(() => gridWindowAt(0, 1500.5)).toThrow(/windowMs/);
    expect(() => gridWindowAt(0, Number.NaN)).toThrow(/windowMs/);
  });

  it('a window is closed from its end on', () => {
    const w = gridWindowAt(Date.UTC(2026, 0, 1, 5));
    expect(isWindowClosed(w, w.end - 1)).toBe(false);
    expect(isWindowClosed(w, w.end)).toBe(true);
  });
});
