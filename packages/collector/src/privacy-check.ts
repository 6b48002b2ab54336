import { countGroups, ENVELOPE_FIELDS, groupL1, isAllowedCategoryKey, isGridWindow, OTHER_KEY, type Report } from '@edgewise/wire';
import type { CollectorPrivacy } from './config.js';
import { ReportInvalidError, ReportRefusedError } from './errors.js';

/**
 * The device's privacy rules, checked again at the collector: a report that breaks one is refused
 * with 400 naming the field (it can never become valid), and a report for a window that is
 * (about to be) released with 422. Pure.
 */
export function checkPrivacy(report: Report, privacy: CollectorPrivacy, windowMs: number, now: number): void {
  if (report.token === undefined) throw new ReportInvalidError('token: required: a fresh random token per device and window (32 hex digits), so devices are counted, not reports');
  if (!isGridWindow(report.window, windowMs)) {
    throw new ReportInvalidError(`window: {start: ${report.window.start}, end: ${report.window.end}} is not one cell of the ${windowMs} ms window grid; timestamps finer than the grid would link a device's reports`);
  }
  // The device bounds the counters group as one (runs, errors, rejected, fallbacks): a window of
  // ≥ minRunsPerReport runs with errors or fallbacks arrives with fewer runs, but with the group at
  // min(minRunsPerReport, contributionBound) or more, which a window below minRunsPerReport never reaches.
  const { runs, errors, rejected, fallbacks } = report.counters;
  if (runs + errors + rejected + fallbacks < Math.min(privacy.minRunsPerReport, privacy.contributionBound) || runs === 0) {
    throw new ReportInvalidError(`counters.runs: ${report.counters.runs} runs; a report needs at least ${privacy.minRunsPerReport} (minRunsPerReport): smaller windows roll into the next on the device`);
  }
  for (const [name, f] of Object.entries(report.features)) {
    const field = `features.${JSON.stringify(name)}`;
    if (f.kind === 'numeric' && f.counts.length > privacy.maxBins) throw new ReportInvalidError(`${field}.counts: ${f.counts.length} bins; at most ${privacy.maxBins} (maxBins)`);
    if (f.kind === 'categorical') {
      const keys = Object.keys(f.counts);
      const float = keys.find((k) => !isAllowedCategoryKey(k));
      if (float !== undefined) throw new ReportInvalidError(`${field}.counts.${JSON.stringify(float)}: a non-integer number is never a category key (it is the raw input)`);
      if (keys.filter((k) => k !== OTHER_KEY).length + 1 > privacy.maxCategories) throw new ReportInvalidError(`${field}.counts: ${keys.length} categories; at most ${privacy.maxCategories} with "__other__" (maxCategories)`);
    }
  }
  const body: Record<string, unknown> = { ...report };
  for (const k of ENVELOPE_FIELDS) delete body[k];
  for (const group of countGroups(body)) {
    const l1 = groupL1(group.values);
    if (l1 > privacy.contributionBound) throw new ReportInvalidError(`${group.path}: counts sum to ${l1}, over the per-device contribution bound ${privacy.contributionBound} (contributionBound)`);
  }
  if (now >= report.window.end + privacy.releaseDelayMs) {
    throw new ReportRefusedError(`window: ${new Date(report.window.start).toISOString()} closed and is released ${privacy.releaseDelayMs} ms after its end; a release is final, so late reports are not counted`);
  }
}
