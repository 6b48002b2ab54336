/**
 * The one window grid every part of Edgewise agrees on: the device's drift windows, the windows a
 * report covers, and the windows the collector releases. Windows are half-open intervals
 * [k·windowMs, (k+1)·windowMs) counted from the Unix epoch (UTC), so two devices (or a device and the
 * collector) that never talk still cut time at the same instants, and a report's timestamps say
 * nothing finer than which grid cell it covers (reports are not linkable by their start/end).
 */

/** Default window length: one hour. */
export const DEFAULT_WINDOW_MS = 3_600_000;

/** Shortest window the grid accepts (one second): finer grids would make timestamps identifying again. */
export const MIN_WINDOW_MS = 1_000;

export interface GridWindow {
  /** Inclusive start, ms since the epoch, a multiple of the window length. */
  start: number;
  /** Exclusive end: start + windowMs. */
  end: number;
}

/** Throws a RangeError naming the bad length: a window length must be a whole number of ms ≥ MIN_WINDOW_MS. */
export function assertWindowMs(windowMs: number): void {
  if (!Number.isSafeInteger(windowMs) || windowMs < MIN_WINDOW_MS) {
    throw new RangeError(`windowMs must be a whole number of milliseconds ≥ ${MIN_WINDOW_MS}, got ${windowMs}`);
  }
}

/** The grid window holding instant `t` (ms since the epoch). */
export function gridWindowAt(t: number, windowMs: number = DEFAULT_WINDOW_MS): GridWindow {
  assertWindowMs(windowMs);
  const start = Math.floor(t / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/** True when [start, end) is exactly one cell of the grid (what a well-formed report covers). */
export function isGridWindow(window: { start: number; end: number }, windowMs: number = DEFAULT_WINDOW_MS): boolean {
  return window.end - window.start === windowMs && window.start % windowMs === 0;
}

/** True once the window has closed at instant `now` (its end has passed): only closed windows are released. */
export function isWindowClosed(window: { end: number }, now: number): boolean {
  return now >= window.end;
}
