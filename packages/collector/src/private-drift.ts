import { CONFIDENCE_EDGES, LATENCY_EDGES_MS } from '@edgewise/wire';
import type { RegisteredBaseline } from './baseline-registry.js';
import type { CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import { populationDrift } from './population-drift.js';
import { closedWindowReleases } from './release-store.js';
import { binnedFrom, featuresFrom, objectFrom, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';
import { COUNTER_NAMES, projectFeatureCounts, releaseThreshold, type WindowRelease } from './window-release.js';

type Released = Extract<WindowRelease, { layout: string }>;

const seriesOf = (releases: Released[]): SeriesCounts => {
  const out: SeriesCounts = new Map();
  for (const r of releases) {
    for (const [series, keys] of Object.entries(r.series)) {
      if (!out.has(series)) out.set(series, new Map());
      const m = out.get(series)!;
      for (const [key, n] of Object.entries(keys)) m.set(key, (m.get(key) ?? 0) + n);
    }
  }
  return out;
};

/**
 * What /v1/drift answers with privacy on: only stored releases of closed windows, summed (sums of
 * releases are post-processing: no further privacy cost), drift computed from the noised counts.
 * Open and withheld windows are not shown, and `unlisted` says so; nothing is read from the exact
 * rollups here.
 */
export async function privateDriftFor(
  db: Database,
  privacy: CollectorPrivacy,
  k: number,
  app: string,
  model: string,
  version: string,
  registered: RegisteredBaseline | undefined,
  range: WindowRange = {},
  now = Date.now(),
) {
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range, now);
  const released = releases.filter((r): r is Released => !r.withheld);
  const noise = releases[0]?.noise;
  // Withheld windows are not listed, nor counted: a window exists only if someone reported in it,
  // so listing it would tell that a device did, whatever its noise.
  const windows = released.map((r) => ({
    bucket: r.start,
    windowMs: r.windowMs,
    devices: r.devices,
    runs: r.counters.runs,
    features: registered && r.layout === registered.layout.hash ? populationDrift(registered.baseline, projectFeatureCounts(featuresFrom(seriesOf([r]), registered.layout))) : [],
  }));
  const threshold = releaseThreshold(privacy, k);
  const unlisted = `only closed windows (after releaseDelayMs) with a noisy device count ≥ ${threshold} are listed (k = ${k}, δ = ${privacy.delta}); others are withheld and not shown`;
  if (released.length === 0) return { model, version, withheld: true as const, reason: `no window released: ${unlisted}`, unlisted, windows };
  const totals = seriesOf(released);
  const counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  for (const r of released) for (const c of COUNTER_NAMES) counters[c] += r.counters[c];
  const sameLayout = registered ? released.filter((r) => r.layout === registered.layout.hash) : [];
  const features = registered ? featuresFrom(seriesOf(sameLayout), registered.layout) : {};
  return {
    model,
    version,
    devices: released.reduce((s, r) => s + r.devices, 0),
    counters,
    backends: objectFrom(totals.get(SERIES.backends)),
    topClasses: objectFrom(totals.get(SERIES.classes)),
    latencyMs: binnedFrom(totals, SERIES.latency, SERIES.latencyExtra, LATENCY_EDGES_MS.length + 1),
    confidence: binnedFrom(totals, SERIES.confidence, SERIES.confidenceExtra, CONFIDENCE_EDGES.length + 1),
    features: registered ? populationDrift(registered.baseline, projectFeatureCounts(features)) : [],
    histograms: Object.fromEntries(Object.entries(features).map(([name, f]) => [name, f.kind === 'numeric' ? f.counts : f.counts])),
    noise,
    baseline: Boolean(registered),
    unlisted,
    windows,
  };
}
