import { randomUUID } from 'node:crypto';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { checkReport, DEFAULTS, layoutOf, releaseWindow, scaleOfSeries, type CollectorPrivacy, type ExactWindow, type ReportAdditions, type WindowRelease } from '@edgewise/collector';
import type { Baseline } from '@edgewise/drift';
import { protectCounts, type ReportBody } from '@edgewise/uplink';
import { gridWindowAt, type Report } from '@edgewise/wire';

/**
 * An empirical privacy audit in the style of DP stochastic testers (Ding et al. 2018 "Detecting
 * violations of differential privacy"; DP-Sniper, Bichsel et al. 2021): run the mechanism many
 * times on two neighbouring datasets, pick an output event in a first run, estimate its
 * probability under both in a second, independent run, and turn Clopper–Pearson bounds into a
 * lower confidence bound on ε: ln(P₁ lower / P₀ upper). A correct ε-DP mechanism keeps it ≤ ε.
 */

/** Two-sided Clopper–Pearson interval for x successes in n trials at confidence 1 - alpha. */
export function clopperPearson(x: number, n: number, alpha = 0.05): [number, number] {
  const lo = x === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1);
  const hi = x === n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x);
  return [lo, hi];
}

/** One device's report through the real device code (protectCounts) and collector check (checkReport). */
export function devicePath(body: ReportBody, baseline: Baseline, privacy: CollectorPrivacy, at: number): ReportAdditions {
  const layout = layoutOf(baseline, 1024);
  const report: Report = { v: 1, id: randomUUID(), model: 'weather', modelVersion: 'audit', window: gridWindowAt(at), token: randomUUID().replace(/-/g, ''), ...protectCounts(body, privacy) };
  return checkReport(report, 'audit', { baseline, layout }, { ...DEFAULTS, privacy }, at + 1);
}

/** Adds devices' additions into one window's exact input, as the rollup would. */
export function exactWindow(devices: readonly ReportAdditions[]): ExactWindow {
  const exact: ExactWindow = { counters: { runs: 0, errors: 0, rejected: 0, fallbacks: 0 }, counts: new Map(), devices: devices.length };
  for (const d of devices) {
    for (const c of ['runs', 'errors', 'rejected', 'fallbacks'] as const) exact.counters[c] += d[c];
    for (const [series, keys] of Object.entries(d.counts)) {
      if (!exact.counts.has(series)) exact.counts.set(series, new Map());
      const m = exact.counts.get(series)!;
      for (const [key, n] of Object.entries(keys)) m.set(key, (m.get(key) ?? 0) + n);
    }
  }
  return exact;
}

/**
 * The attacker's best statistic (Neyman–Pearson): the log-likelihood ratio of a release under
 * "victim in" (exact1) against "victim out" (exact0), for Laplace noise of the release's scale.
 */
export function logLikelihoodRatio(release: WindowRelease, exact0: ExactWindow, exact1: ExactWindow): number {
  const { otherScale, epsilonDevices } = release.noise;
  const deviceTerm = (d: number) => (Math.abs(d - exact0.devices) - Math.abs(d - exact1.devices)) * epsilonDevices;
  if (release.withheld) return -epsilonDevices; // P(withheld | in) / P(withheld | out) = e^(-ε_devices) in the tail
  let llr = deviceTerm(release.devices);
  for (const [series, keys] of Object.entries(release.series)) {
    const scale = scaleOfSeries(release.noise, series);
    for (const [key, x] of Object.entries(keys)) {
      const a0 = exact0.counts.get(series)?.get(key) ?? 0;
      const a1 = exact1.counts.get(series)?.get(key) ?? 0;
      if (a0 !== a1) llr += (Math.abs(x - a0) - Math.abs(x - a1)) / scale;
    }
  }
  for (const c of ['runs', 'errors', 'rejected', 'fallbacks'] as const) {
    const [a0, a1, x] = [exact0.counters[c], exact1.counters[c], release.counters[c]];
    if (a0 !== a1) llr += (Math.abs(x - a0) - Math.abs(x - a1)) / otherScale;
  }
  return llr;
}

export interface AuditResult {
  trials: number;
  threshold: number;
  hits1: number;
  hits0: number;
  /** ln(p1/p0), the point estimate. */
  epsilonEstimate: number;
  /** ln(p1 lower / p0 upper): ε is at least this, with ≥ 99% confidence. */
  epsilonLowerBound: number;
  p1: [number, number];
  p0: [number, number];
}

/**
 * Audits `release` (one draw of the whole path for "victim in" when in = true): a selection run
 * picks the threshold on the LLR that maximizes the bound, an independent run of `trials` per side
 * estimates it (each side's two-sided 99% Clopper–Pearson interval; together ≥ 98%).
 */
export function audit(release: (victimIn: boolean) => WindowRelease, exact0: ExactWindow, exact1: ExactWindow, trials: number): AuditResult {
  const sample = (victimIn: boolean, n: number) => Float64Array.from({ length: n }, () => logLikelihoodRatio(release(victimIn), exact0, exact1)).sort();
  const [sel1, sel0] = [sample(true, trials), sample(false, trials)];
  const above = (xs: Float64Array, t: number) => xs.length - lowerBound(xs, t);
  let best = { t: 0, bound: -Infinity };
  for (let q = 0.5; q < 0.999; q += 0.005) {
    const t = sel1[Math.floor(q * trials)]!;
    const [lo] = clopperPearson(above(sel1, t), trials, 0.05);
    const [, hi] = clopperPearson(above(sel0, t), trials, 0.05);
    const bound = Math.log(lo / hi);
    if (bound > best.bound) best = { t, bound };
  }
  const [ev1, ev0] = [sample(true, trials), sample(false, trials)];
  const [hits1, hits0] = [above(ev1, best.t), above(ev0, best.t)];
  // 99% intervals: when the mechanism is exactly ε-DP and the event attains e^ε, the bound exceeds
  // ε in at most ~1% of runs (each side errs with ≤ 0.5%), so the test is not flaky at the limit.
  const p1 = clopperPearson(hits1, trials, 0.01);
  const p0 = clopperPearson(hits0, trials, 0.01);
  return { trials, threshold: best.t, hits1, hits0, epsilonEstimate: Math.log(hits1 / Math.max(1, hits0)), epsilonLowerBound: Math.log(p1[0] / p0[1]), p1, p0 };
}

/** First index with xs[i] ≥ t (xs sorted). */
function lowerBound(xs: Float64Array, t: number): number {
  let [lo, hi] = [0, xs.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
