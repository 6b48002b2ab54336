import { CONFIDENCE_EDGES, LATENCY_EDGES_MS } from '@edgewise/wire';
import type { RegisteredBaseline } from './baseline-registry.js';
import type { CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import type { FleetSeries, WindowPoint } from './fleet-series.js';
import { populationDrift } from './population-drift.js';
import { binnedMean, binnedQuantile } from './quantile.js';
import { closedWindowReleases } from './release-store.js';
import { binnedFrom, featuresFrom, objectFrom, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';
import { shadowOther } from './shadow.js';
import { canaryOther } from './canary.js';
import { projectFeatureCounts, projectNonNegative, type WindowRelease } from './window-release.js';

type Released = Extract<WindowRelease, { layout: string }>;

const countsOf = (r: Released): SeriesCounts => new Map(Object.entries(r.series).map(([series, keys]) => [series, new Map(Object.entries(keys))]));

/**
 * /v1/series with privacy on: one point per stored release (the same noisy numbers /v1/drift
 * serves), nothing read from the exact rollups. Withheld and open windows are not listed at all,
 * nor counted (a window exists only because someone reported in it), and a point carries the noisy
 * `devices` of its release instead of an exact report count. Quantiles, means and drift are
 * computed from the non-negative projection of the noisy counts (post-processing).
 */
export async function privateFleetSeries(
  db: Database,
  privacy: CollectorPrivacy,
  config: { k: number; windowMs: number },
  app: string,
  model: string,
  version: string,
  registered: RegisteredBaseline | undefined,
  range: WindowRange,
  now: number,
): Promise<FleetSeries> {
  const releases = await closedWindowReleases(db, privacy, config.k, app, model, version, registered?.layout, range, now);
  const windows = releases
    .filter((r): r is Released => !r.withheld)
    .map((r): WindowPoint => {
      const c = countsOf(r);
      const latency = projectNonNegative(binnedFrom(c, SERIES.latency, SERIES.latencyExtra, LATENCY_EDGES_MS.length + 1).counts);
      const confidence = binnedFrom(c, SERIES.confidence, SERIES.confidenceExtra, CONFIDENCE_EDGES.length + 1).counts;
      const positive = projectNonNegative(confidence);
      const edges = [...CONFIDENCE_EDGES, 1];
      const q = (p: number) => binnedQuantile(latency, LATENCY_EDGES_MS, p);
      let drift: WindowPoint['drift'] = [];
      if (registered && r.layout === registered.layout.hash) {
        const features = projectFeatureCounts(featuresFrom(c, registered.layout));
        drift = populationDrift(registered.baseline, features);
      }
      return {
        start: r.start,
        end: r.start + r.windowMs,
        devices: r.devices,
        ...r.counters,
        backends: objectFrom(c.get(SERIES.backends)),
        latencyMs: { counts: latency, p50: q(0.5), p95: q(0.95), p99: q(0.99) },
        confidence: { counts: confidence, mean: binnedMean(positive, edges), p50: binnedQuantile(positive, edges, 0.5) },
        drift,
        other: { ...shadowOther(c, projectNonNegative), ...canaryOther(c, projectNonNegative) },
      };
    });
  // Open windows are not counted either: "one still open" would say that someone reported in it.
  return { model, version, windowMs: config.windowMs, k: config.k, baseline: Boolean(registered), windows, notYetClosed: 0, note: 'privacy on: only released windows (noisy, stored) are listed; open and withheld ones are not shown' };
}
