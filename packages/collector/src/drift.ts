import { CONFIDENCE_EDGES, LATENCY_EDGES_MS } from '@edgewise/wire';
import { BaselineRegistry, type RegisteredBaseline } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { populationDrift } from './population-drift.js';
import { privateDriftFor } from './private-drift.js';
import { binnedFrom, featuresFrom, objectFrom, readFeaturesPerWindow, readTotals, readWindows, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';

/**
 * Merged population and per-window drift of one model version, from the rollup rows (windows ×
 * series × keys; not one row per report); withheld below k contributing reports.
 *
 * @example
 * const drift = await driftFor(db, config, 'demo', 'mnist', '1.1.0');
 * if (!('withheld' in drift)) console.log(drift.features.filter((f) => f.drifted));
 */
export async function driftFor(
  db: Database,
  config: Pick<CollectorConfig, 'k' | 'privacy'> & Partial<Pick<CollectorConfig, 'maxCategoriesPerFeature'>>,
  app: string,
  model: string,
  version: string,
  options: { registry?: BaselineRegistry; range?: WindowRange; now?: number } = {},
) {
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: config.maxCategoriesPerFeature ?? 1024 });
  if (config.privacy) return privateDriftFor(db, config.privacy, config.k, app, model, version, await registry.get(app, model, version), options.range, options.now);
  return exactDriftFor(db, config, registry, app, model, version, options);
}

/** Privacy off (development): exact, live, every window including the open one. */
async function exactDriftFor(db: Database, config: Pick<CollectorConfig, 'k'>, registry: BaselineRegistry, app: string, model: string, version: string, options: { range?: WindowRange }) {
  const [windows, registered] = await Promise.all([readWindows(db, app, model, version, options.range), registry.get(app, model, version)]);
  const reports = windows.reduce((s, w) => s + w.reports, 0);
  if (reports < config.k) return { model, version, reports, withheld: true as const, reason: `fewer than k = ${config.k} reports` };
  const totals = await readTotals(db, app, model, version, registered?.layout.hash, options.range);
  const counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  for (const w of windows) for (const k of ['runs', 'errors', 'rejected', 'fallbacks'] as const) counters[k] += w[k];
  const features = registered ? featuresFrom(totals, registered.layout) : {};
  const released = windows.filter((w) => w.reports >= config.k);
  const perWindow = registered ? await readFeaturesPerWindow(db, app, model, version, registered.layout.hash, released.map((w) => w.start)) : new Map();
  return {
    model,
    version,
    reports,
    counters,
    backends: objectFrom(totals.get(SERIES.backends)),
    topClasses: objectFrom(totals.get(SERIES.classes)),
    latencyMs: binnedFrom(totals, SERIES.latency, SERIES.latencyExtra, LATENCY_EDGES_MS.length + 1),
    confidence: binnedFrom(totals, SERIES.confidence, SERIES.confidenceExtra, CONFIDENCE_EDGES.length + 1),
    features: registered ? populationDrift(registered.baseline, features) : [],
    histograms: histograms(features),
    baseline: Boolean(registered),
    windows: released.map((w) => ({
      bucket: w.start,
      windowMs: w.windowMs,
      reports: w.reports,
      runs: w.runs,
      features: windowDrift(registered, perWindow.get(w.start)),
    })),
  };
}

function windowDrift(registered: RegisteredBaseline | undefined, counts: Parameters<typeof featuresFrom>[0] | undefined) {
  if (!registered || !counts) return [];
  return populationDrift(registered.baseline, featuresFrom(counts, registered.layout));
}

/** Per-feature bin counts, exact (privacy off). */
function histograms(features: ReturnType<typeof featuresFrom>) {
  return Object.fromEntries(Object.entries(features).map(([name, f]) => [name, f.counts]));
}
