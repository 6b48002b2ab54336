import { CONFIDENCE_EDGES } from '@edgewise/wire';
import { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig, CollectorPrivacy } from './config.js';
import { LABEL_SERIES } from './release-domain.js';
import { closedWindowReleases } from './release-store.js';
import { projectNonNegative } from './window-release.js';
import type { Database } from './database.js';
import { binnedFrom, objectFrom, readLabelsPerWindow, readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';

const total = (b: { counts: number[]; nan: number }) => b.counts.reduce((a, c) => a + c, 0) + b.nan;

/**
 * Accuracy over time of one model version, from the delayed labels devices counted (confusion
 * cells and per-confidence-bin counts): per window, the labelled predictions, the right ones,
 * accuracy, the confusion counts and calibration (accuracy per confidence bin). Windows with fewer
 * than k contributing reports are withheld, as drift's are.
 *
 * @example
 * const { windows } = await accuracyFor(db, config, 'demo', 'mnist', '1.1.0');
 * windows.map((w) => w.accuracy); // [0.97, 0.96, 0.81] → concept drift
 */
export async function accuracyFor(
  db: Database,
  config: Pick<CollectorConfig, 'k'> & Partial<Pick<CollectorConfig, 'privacy'>>,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  if (config.privacy) return privateAccuracyFor(db, config.privacy, config.k, app, model, version, range, options);
  const [windows, labels] = await Promise.all([readWindows(db, app, model, version, range), readLabelsPerWindow(db, app, model, version, range)]);
  const out = [];
  let withheld = 0;
  for (const w of windows) {
    const counts = labels.get(w.start);
    if (!counts) continue;
    if (w.reports < config.k) {
      withheld++;
      continue;
    }
    out.push(accuracyPoint({ bucket: w.start, windowMs: w.windowMs, reports: w.reports }, counts));
  }
  return { model, version, withheldWindows: withheld, windows: out };
}

/**
 * Privacy on: accuracy from the stored noisy release of each closed window (the label series are
 * in the release domain), projected onto non-negative counts first; withheld windows not listed.
 */
async function privateAccuracyFor(db: Database, privacy: CollectorPrivacy, k: number, app: string, model: string, version: string, range: WindowRange, options: { registry?: BaselineRegistry; now?: number }) {
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: 1024 });
  const registered = await registry.get(app, model, version);
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range, options.now ?? Date.now());
  const out = [];
  for (const r of releases) {
    if (r.withheld || !r.series[SERIES.labeled]) continue;
    const counts: SeriesCounts = new Map(
      Object.entries(r.series)
        .filter(([name]) => LABEL_SERIES.includes(name))
        .map(([name, keys]) => {
          const names = Object.keys(keys);
          const values = projectNonNegative(names.map((n) => keys[n]!));
          return [name, new Map(names.map((n, i) => [n, values[i]!]))];
        }),
    );
    out.push(accuracyPoint({ bucket: r.start, windowMs: r.windowMs, reports: r.devices }, counts));
  }
  const note = privacy.releaseLabels
    ? 'privacy on: noisy releases of closed windows only; withheld windows are not shown'
    : 'privacy on: label counts are not released (COLLECTOR_RELEASE_LABELS=on releases them, at the cost of more noise on every series)';
  return { model, version, withheldWindows: 0, windows: out, note };
}


function accuracyPoint(point: { bucket: number; windowMs: number; reports: number }, counts: SeriesCounts) {
  const bins = CONFIDENCE_EDGES.length + 1;
  {
    const labeled = binnedFrom(counts, SERIES.labeled, `${SERIES.labeled}-extra`, bins);
    const correct = binnedFrom(counts, SERIES.correct, `${SERIES.correct}-extra`, bins);
    const n = total(labeled);
    const right = total(correct);
    return {
      ...point,
      labeled: n,
      correct: right,
      accuracy: n > 0 ? right / n : null,
      confusion: objectFrom(counts.get(SERIES.confusion)),
      // Upper edge of each confidence bin with its accuracy: a calibrated model's accuracy tracks its confidence.
      calibration: labeled.counts.map((c, i) => ({ upTo: CONFIDENCE_EDGES[i] ?? 1, labeled: c, correct: correct.counts[i]!, accuracy: c > 0 ? correct.counts[i]! / c : null })),
    };
  }
}
