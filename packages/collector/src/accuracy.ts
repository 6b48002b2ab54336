import { CONFIDENCE_EDGES } from '@edgewise/wire';
import type { BaselineRegistry } from './baseline-registry.js';
import { LABEL_SERIES } from './release-domain.js';
import type { Database } from './database.js';
import { binnedFrom, objectFrom, type SeriesCounts, type WindowRange } from './rollups.js';
import { exactWindowPoints, releasedWindowPoints, type PointReadConfig } from './window-points.js';
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
  config: PointReadConfig,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  const read = { series: LABEL_SERIES, present: SERIES.labeled, point: accuracyPoint };
  if (!config.privacy) {
    const { withheldWindows, points } = await exactWindowPoints(db, config.k, app, model, version, range, read);
    return { model, version, withheldWindows, windows: points };
  }
  // With privacy on, from the stored noisy release of each closed window (the label series are in
  // the release domain when releaseLabels is on); withheld windows are not listed.
  const windows = await releasedWindowPoints(db, config.privacy, config.k, app, model, version, range, options, read);
  const note = config.privacy.releaseLabels
    ? 'privacy on: noisy releases of closed windows only; withheld windows are not shown'
    : 'privacy on: label counts are not released (COLLECTOR_RELEASE_LABELS=on releases them, at the cost of more noise on every series)';
  return { model, version, withheldWindows: 0, windows, note };
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
