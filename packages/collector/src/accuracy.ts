import { CONFIDENCE_EDGES } from '@edgewise/wire';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { binnedFrom, objectFrom, readLabelsPerWindow, readWindows, type WindowRange } from './rollups.js';
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
export async function accuracyFor(db: Database, config: Pick<CollectorConfig, 'k'>, app: string, model: string, version: string, range: WindowRange = {}) {
  const [windows, labels] = await Promise.all([readWindows(db, app, model, version, range), readLabelsPerWindow(db, app, model, version, range)]);
  const bins = CONFIDENCE_EDGES.length + 1;
  const out = [];
  let withheld = 0;
  for (const w of windows) {
    const counts = labels.get(w.start);
    if (!counts) continue;
    if (w.reports < config.k) {
      withheld++;
      continue;
    }
    const labeled = binnedFrom(counts, SERIES.labeled, `${SERIES.labeled}-extra`, bins);
    const correct = binnedFrom(counts, SERIES.correct, `${SERIES.correct}-extra`, bins);
    const n = total(labeled);
    const right = total(correct);
    out.push({
      bucket: w.start,
      windowMs: w.windowMs,
      reports: w.reports,
      labeled: n,
      correct: right,
      accuracy: n > 0 ? right / n : null,
      confusion: objectFrom(counts.get(SERIES.confusion)),
      // Upper edge of each confidence bin with its accuracy: a calibrated model's accuracy tracks its confidence.
      calibration: labeled.counts.map((c, i) => ({ upTo: CONFIDENCE_EDGES[i] ?? 1, labeled: c, correct: correct.counts[i]!, accuracy: c > 0 ? correct.counts[i]! / c : null })),
    });
  }
  return { model, version, withheldWindows: withheld, windows: out };
}
