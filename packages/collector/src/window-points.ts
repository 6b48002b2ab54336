import { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig, CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import { closedWindowReleases } from './release-store.js';
import { readSeriesPerWindow, readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { projectNonNegative } from './window-release.js';

/** Where a point sits: its window, and how many reports (privacy on: noisy devices) it holds. */
export interface WindowPlace {
  bucket: number;
  windowMs: number;
  reports: number;
}

/** One per-window read (accuracy, shadow, canary): which series it needs and how a window becomes a point. */
export interface WindowPointRead<P> {
  series: readonly string[];
  /** A window without this series has nothing for the read and is not listed. */
  present: string;
  point: (place: WindowPlace, counts: SeriesCounts) => P;
}

/**
 * Privacy off: exact counts of every window holding the read's series; windows with fewer than k
 * reports are withheld (counted, not shown).
 */
export async function exactWindowPoints<P>(db: Database, k: number, app: string, model: string, version: string, range: WindowRange, read: WindowPointRead<P>) {
  const [windows, series] = await Promise.all([readWindows(db, app, model, version, range), readSeriesPerWindow(db, app, model, version, read.series, range)]);
  const points: P[] = [];
  let withheld = 0;
  for (const w of windows) {
    const counts = series.get(Number(w.start));
    if (!counts?.get(read.present)) continue;
    if (w.reports < k) {
      withheld++;
      continue;
    }
    points.push(read.point({ bucket: w.start, windowMs: w.windowMs, reports: w.reports }, counts));
  }
  return { withheldWindows: withheld, points };
}

/**
 * Privacy on: the stored noisy releases of closed windows, each series projected onto
 * non-negative counts (same total) before it becomes a point; withheld windows are not listed.
 */
export async function releasedWindowPoints<P>(
  db: Database,
  privacy: CollectorPrivacy,
  k: number,
  app: string,
  model: string,
  version: string,
  range: WindowRange,
  options: { registry?: BaselineRegistry; now?: number },
  read: WindowPointRead<P>,
): Promise<P[]> {
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: 1024 });
  const registered = await registry.get(app, model, version);
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range, options.now ?? Date.now());
  const points: P[] = [];
  for (const r of releases) {
    if (r.withheld || !r.series[read.present]) continue;
    const counts: SeriesCounts = new Map(
      Object.entries(r.series)
        .filter(([name]) => read.series.includes(name))
        .map(([name, keys]) => {
          const names = Object.keys(keys);
          const values = projectNonNegative(names.map((n) => keys[n]!));
          return [name, new Map(names.map((n, i) => [n, values[i]!]))];
        }),
    );
    points.push(read.point({ bucket: r.start, windowMs: r.windowMs, reports: r.devices }, counts));
  }
  return points;
}

export type PointReadConfig = Pick<CollectorConfig, 'k'> & Partial<Pick<CollectorConfig, 'privacy'>>;
