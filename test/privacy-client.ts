import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_WINDOW_MS, gridWindowAt, type Report } from '@edgewise/wire';
import { deviceReport } from './collector-client.js';

/** A fresh window token, as a private device draws one per window. */
export const token = () => randomBytes(16).toString('hex');

/**
 * A report as a private device sends it for the weather model: one grid window, a fresh token,
 * `runs` runs (at least minRunsPerReport) with every count group summing to `runs` (≤ the
 * contribution bound). `temp_max` may be put in one bin: the victim's distinctive input.
 */
export function privateReport(at: number, options: { runs?: number; tempMaxBin?: number; windowMs?: number; version?: string } = {}): Report {
  const runs = options.runs ?? 20;
  const r = deviceReport(runs, { id: randomUUID(), window: gridWindowAt(at, options.windowMs ?? DEFAULT_WINDOW_MS), token: token(), modelVersion: options.version ?? '1.0.0' });
  if (options.tempMaxBin !== undefined && r.features.temp_max?.kind === 'numeric') {
    r.features.temp_max.counts = r.features.temp_max.counts.map((_, i) => (i === options.tempMaxBin ? runs : 0));
  }
  return r;
}

/** A fake clock the collector and devices share: `at` ms since the epoch, moved by tests. */
export function clock(start = Date.UTC(2026, 11, 2, 10, 5)) {
  const c = { at: start, now: () => c.at };
  return c;
}
