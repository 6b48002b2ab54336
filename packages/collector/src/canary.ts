import { CANARY_EVIDENCE_KEYS, CANARY_OUTCOME_KEYS } from '@edgewise/wire';
import { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig, CollectorPrivacy } from './config.js';
import type { Database } from './database.js';
import { CANARY_SERIES } from './release-domain.js';
import { closedWindowReleases } from './release-store.js';
import { readSeriesPerWindow, readWindows, type SeriesCounts, type WindowRange } from './rollups.js';
import { SERIES } from './series.js';
import { projectNonNegative } from './window-release.js';

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
  config: Pick<CollectorConfig, 'k'> & Partial<Pick<CollectorConfig, 'privacy'>>,
  app: string,
  model: string,
  version: string,
  range: WindowRange = {},
  options: { registry?: BaselineRegistry; now?: number } = {},
) {
  if (config.privacy) return privateCanaryFor(db, config.privacy, config.k, app, model, version, range, options);
  const [windows, series] = await Promise.all([readWindows(db, app, model, version, range), readSeriesPerWindow(db, app, model, version, CANARY_SERIES, range)]);
  const out = [];
  let withheld = 0;
  for (const w of windows) {
    const counts = series.get(Number(w.start));
    if (!counts?.get(SERIES.canary)) continue;
    if (w.reports < config.k) {
      withheld++;
      continue;
    }
    out.push(canaryPoint({ bucket: w.start, windowMs: w.windowMs, reports: w.reports }, counts));
  }
  return { model, version, withheldWindows: withheld, windows: out };
}

/** Privacy on: the stored noisy releases of closed windows (released only with releaseCanary), projected onto non-negative counts. */
async function privateCanaryFor(db: Database, privacy: CollectorPrivacy, k: number, app: string, model: string, version: string, range: WindowRange, options: { registry?: BaselineRegistry; now?: number }) {
  const note = privacy.releaseCanary
    ? 'privacy on: noisy releases of closed windows only; withheld windows are not shown'
    : 'privacy on: canary counts are not released (COLLECTOR_RELEASE_CANARY=on releases them, at the cost of more noise on every series)';
  if (!privacy.releaseCanary) return { model, version, withheldWindows: 0, windows: [], note };
  const registry = options.registry ?? new BaselineRegistry(db, { ttlMs: 0, maxCategoriesPerFeature: 1024 });
  const registered = await registry.get(app, model, version);
  const releases = await closedWindowReleases(db, privacy, k, app, model, version, registered?.layout, range, options.now ?? Date.now());
  const out = [];
  for (const r of releases) {
    if (r.withheld || !r.series[SERIES.canary]) continue;
    const counts: SeriesCounts = new Map(
      CANARY_SERIES.map((name) => {
        const keys = r.series[name] ?? {};
        const names = Object.keys(keys);
        const values = projectNonNegative(names.map((n) => keys[n]!));
        return [name, new Map(names.map((n, i) => [n, values[i]!]))];
      }),
    );
    out.push(canaryPoint({ bucket: r.start, windowMs: r.windowMs, reports: r.devices }, counts));
  }
  return { model, version, withheldWindows: 0, windows: out, note };
}

function canaryPoint(point: { bucket: number; windowMs: number; reports: number }, counts: SeriesCounts) {
  const read = (series: string, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, counts.get(series)?.get(key) ?? 0])) as Record<string, number>;
  const outcomes = read(SERIES.canary, CANARY_OUTCOME_KEYS);
  const evidence = read(SERIES.canaryEvidence, CANARY_EVIDENCE_KEYS);
  const rolledBack = outcomes.rolledBackErrorRate! + outcomes.rolledBackAgreement! + outcomes.rolledBackLatency!;
  return {
    ...point,
    passed: outcomes.passed!,
    rolledBack,
    reasons: { 'error-rate': outcomes.rolledBackErrorRate!, agreement: outcomes.rolledBackAgreement!, latency: outcomes.rolledBackLatency! },
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
