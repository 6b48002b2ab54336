import { CANARY_EVIDENCE_KEYS, CANARY_OUTCOME_KEYS } from '@edgewise/wire';
import type { BaselineRegistry } from './baseline-registry.js';
import type { Database } from './database.js';
import { CANARY_SERIES } from './release-domain.js';
import type { SeriesCounts, WindowRange } from './rollups.js';
import { exactWindowPoints, releasedWindowPoints, type PointReadConfig } from './window-points.js';
import { SERIES } from './series.js';

/**
 * Canary guard outcomes over time of one model version (the canary's): per window, how many devices'
 * guards passed it and how many rolled it back, for which reason, and the evidence summed over those
 * verdicts (runs, errors on each side, compared runs, top-1 agreement with the previous version).
 * Windows with fewer than k contributing reports are withheld, as shadow's are.
 *
 * @example
 * const { windows } = await canaryFor(db, config, 'demo', 'mnist', '1.1.0');
 * windows.map((w) => w.rolledBack); // [3, 0]
 */
export async function canaryFor(
  db: Database,
  config: PointReadConfig,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  const read = { series: CANARY_SERIES, present: SERIES.canary, point: canaryPoint };
  if (!config.privacy) {
    const { withheldWindows, points } = await exactWindowPoints(db, config.k, app, model, version, range, read);
    return { model, version, withheldWindows, windows: points };
  }
  // Privacy on: the stored noisy releases of closed windows, released only with releaseCanary.
  if (!config.privacy.releaseCanary) {
    return { model, version, withheldWindows: 0, windows: [], note: 'privacy on: canary counts are not released (COLLECTOR_RELEASE_CANARY=on releases them, at the cost of more noise on every series)' };
  }
  const windows = await releasedWindowPoints(db, config.privacy, config.k, app, model, version, range, options, read);
  return { model, version, withheldWindows: 0, windows, note: 'privacy on: noisy releases of closed windows only; withheld windows are not shown' };
}

function canaryPoint(point: { bucket: number; windowMs: number; reports: number }, counts: SeriesCounts) {
  const read = (series: string, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, counts.get(series)?.get(key) ?? 0])) as Record<string, number>;
  const outcomes = read(SERIES.canary, CANARY_OUTCOME_KEYS);
  const evidence = read(SERIES.canaryEvidence, CANARY_EVIDENCE_KEYS);
  const rolledBack = outcomes.rolledBackErrorRate! + outcomes.rolledBackAgreement! + outcomes.rolledBackLatency! + outcomes.rolledBackCrashes!;
  return {
    ...point,
    passed: outcomes.passed!,
    rolledBack,
    reasons: { crashes: outcomes.rolledBackCrashes!, 'error-rate': outcomes.rolledBackErrorRate!, agreement: outcomes.rolledBackAgreement!, latency: outcomes.rolledBackLatency! },
    evidence,
    /** Top-1 agreement with the previous version over the compared items of these verdicts. */
    agreement: evidence.items! > 0 ? Math.min(1, evidence.agreed! / evidence.items!) : null,
  };
}

/** The canary figures a fleet chart draws per window (WindowPoint.other): verdicts that passed and rolled back; none without verdicts. */
export function canaryOther(counts: SeriesCounts, project: (values: readonly number[]) => number[] = (v) => [...v]): Record<string, number> {
  const c = counts.get(SERIES.canary);
  if (!c) return {};
  const [passed, ...reasons] = project(CANARY_OUTCOME_KEYS.map((key) => c.get(key) ?? 0)) as [number, ...number[]];
  return { 'canary-passed': passed, 'canary-rolled-back': reasons.reduce((a, b) => a + b, 0) };
}
