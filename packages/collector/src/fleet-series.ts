import { CONFIDENCE_EDGES, gridWindowAt, isWindowClosed, LATENCY_EDGES_MS } from '@edgewise/wire';
import { BaselineRegistry, type RegisteredBaseline } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { populationDrift, type FeaturePopulationDrift } from './population-drift.js';
import { binnedMean, binnedQuantile } from './quantile.js';
import { privateFleetSeries } from './private-fleet-series.js';
import { binnedFrom, featuresFrom, objectFrom, readCountsPerWindow, readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';
import { shadowOther } from './shadow.js';
import { canaryOther } from './canary.js';
import { projectFeatureCounts } from './window-release.js';

/** One closed window of one model version, as released to read-key holders. */
export interface WindowPoint {
  start: number;
  end: number;
  /** Exact reports (privacy off only). */
  reports?: number;
  /** Noisy device count of the window's release (privacy on only). */
  devices?: number;
  /** Set when the window is not released (fewer than k contributors); then nothing else is. */
  withheld?: string;
  runs?: number;
  errors?: number;
  rejected?: number;
  fallbacks?: number;
  backends?: Record<string, number>;
  /** Latency bin counts over LATENCY_EDGES_MS and quantiles (ms) interpolated inside the bins. */
  latencyMs?: { counts: number[]; p50?: number; p95?: number; p99?: number };
  /** Confidence: bin counts over CONFIDENCE_EDGES, mean and median. */
  confidence?: { counts: number[]; mean?: number; p50?: number };
  drift?: FeaturePopulationDrift[];
  /**
   * Further scalar series per window by name (accuracy, shadow agreement, canary outcome, once the
   * collector has them): the dashboard draws one chart per name it finds and the alert rules read
   * `accuracy` from here. Empty until something fills it.
   */
  other?: Record<string, number>;
}

export interface FleetSeries {
  model: string;
  version: string;
  windowMs: number;
  k: number;
  baseline: boolean;
  windows: WindowPoint[];
  /** Windows held back, with why: not closed yet (the current one, or one a device's clock put ahead). */
  notYetClosed: number;
  note?: string;
}

export const CONFIDENCE_BIN_EDGES: readonly number[] = [...CONFIDENCE_EDGES, 1];

/**
 * The released series of one model version: one point per closed window, oldest first. This is
 * the read boundary the dashboard, the alert rules and /metrics consume: what is released per
 * window (and how: thresholds, noise, the stored release) is decided here and below, never by them.
 * Open windows are not released; a window that starts in the future (a device clock ahead, within
 * the allowed skew) is counted in `notYetClosed` instead of stretching every time axis.
 */
export async function fleetSeries(
  db: Database,
  config: Pick<CollectorConfig, 'k' | 'windowMs'> & Partial<Pick<CollectorConfig, 'maxCategoriesPerFeature' | 'privacy'>>,
  app: string,
  model: string,
  version: string,
  options: { registry?: BaselineRegistry; range?: WindowRange; now?: number } = {},
): Promise<FleetSeries> {
  const now = options.now ?? Date.now();
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: config.maxCategoriesPerFeature ?? 1024 });
  // With privacy on, only stored releases: the exact rollups below would hand one device's counts over.
  if (config.privacy) return privateFleetSeries(db, config.privacy, config, app, model, version, await registry.get(app, model, version), options.range ?? {}, now);
  const [rows, registered] = await Promise.all([readWindows(db, app, model, version, options.range), registry.get(app, model, version)]);
  const closed = rows.filter((w) => isWindowClosed({ end: w.start + w.windowMs }, now));
  const notYetClosed = rows.length - closed.length;
  const future = rows.filter((w) => w.start > gridWindowAt(now, w.windowMs).start).length;
  const released = closed.filter((w) => w.reports >= config.k);
  const counts = await readCountsPerWindow(db, app, model, version, registered?.layout.hash, released.map((w) => w.start));
  const windows = closed.map((w): WindowPoint => {
    const point: WindowPoint = { start: w.start, end: w.start + w.windowMs, reports: w.reports };
    if (w.reports < config.k) return { ...point, withheld: `fewer than k = ${config.k} devices` };
    return windowPoint(point, w, counts.get(w.start) ?? new Map(), registered);
  });
  const notes: string[] = [];
  if (notYetClosed - future > 0) notes.push(`${notYetClosed - future} window(s) still open: released once they close`);
  if (future > 0) notes.push(`${future} window(s) start in the future (a device clock ahead): ignored until they close`);
  return { model, version, windowMs: config.windowMs, k: config.k, baseline: Boolean(registered), windows, notYetClosed, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/**
 * One released window's point from its counts: exact rollup counts (privacy off) or a stored noisy
 * release (privacy on), whose counts may be negative and are projected onto non-negative values of
 * the same total before quantiles, means and drift (post-processing: no further privacy cost).
 */
export function windowPoint(
  point: WindowPoint,
  counters: { runs: number; errors: number; rejected: number; fallbacks: number },
  c: SeriesCounts,
  registered: RegisteredBaseline | undefined,
  project: (values: readonly number[]) => number[] = (v) => [...v],
): WindowPoint {
  const latency = project(binnedFrom(c, SERIES.latency, SERIES.latencyExtra, LATENCY_EDGES_MS.length + 1).counts);
  const confidence = project(binnedFrom(c, SERIES.confidence, SERIES.confidenceExtra, CONFIDENCE_EDGES.length + 1).counts);
  const q = (p: number) => binnedQuantile(latency, LATENCY_EDGES_MS, p);
  const backends = objectFrom(c.get(SERIES.backends));
  const names = Object.keys(backends);
  const backendCounts = project(names.map((n) => backends[n]!));
  return {
    ...point,
    runs: counters.runs,
    errors: counters.errors,
    rejected: counters.rejected,
    fallbacks: counters.fallbacks,
    backends: Object.fromEntries(names.map((n, i) => [n, backendCounts[i]!])),
    latencyMs: { counts: latency, p50: q(0.5), p95: q(0.95), p99: q(0.99) },
    confidence: { counts: confidence, mean: binnedMean(confidence, CONFIDENCE_BIN_EDGES), p50: binnedQuantile(confidence, CONFIDENCE_BIN_EDGES, 0.5) },
    drift: registered ? populationDrift(registered.baseline, projectFeatureCounts(featuresFrom(c, registered.layout), project)) : [],
    other: { ...shadowOther(c, project), ...canaryOther(c, project) },
  };
}
