import type { RegisteredBaseline } from './baseline-registry.js';
import type { CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import { windowPoint, type FleetSeries } from './fleet-series.js';
import { closedWindowReleases } from './release-store.js';
import type { SeriesCounts, WindowRange } from './rollups.js';
import { projectNonNegative, releaseThreshold } from './window-release.js';

const seriesOf = (series: Record<string, Record<string, number>>): SeriesCounts => new Map(Object.entries(series).map(([name, keys]) => [name, new Map(Object.entries(keys))]));

/**
 * The fleet series with privacy on: only the stored release of each closed window (the same noisy
 * numbers /v1/drift serves), never the exact rollups, so the dashboard, the alert rules and
 * /metrics release nothing /v1/drift does not. Withheld windows are not listed (listing one would
 * tell that some device reported in it); `reports` is the release's noisy device count.
 */
export async function privateFleetSeries(
  db: Database,
  privacy: CollectorPrivacy,
  k: number,
  windowMs: number,
  app: string,
  model: string,
  version: string,
  registered: RegisteredBaseline | undefined,
  range: WindowRange | undefined,
  now: number,
): Promise<FleetSeries> {
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range ?? {}, now);
  const windows = releases.flatMap((r) => {
    if (r.withheld) return [];
    const sameLayout = registered && r.layout === registered.layout.hash ? registered : undefined;
    return [windowPoint({ start: r.start, end: r.start + r.windowMs, reports: r.devices }, r.counters, seriesOf(r.series), sameLayout, projectNonNegative)];
  });
  const note = `privacy on: noisy releases of closed windows only (after ${privacy.releaseDelayMs / 1000} s); windows with a noisy device count below ${releaseThreshold(privacy, k)} are withheld and not shown`;
  return { model, version, windowMs, k, baseline: Boolean(registered), windows, notYetClosed: 0, note };
}
