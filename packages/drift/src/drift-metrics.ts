import type { CategoricalSketch } from './categorical-sketch.js';
import type { KllSketch } from './kll-sketch.js';
import { chiSquareSurvival, ksPValue } from './statistics.js';

/** Floor for empty bins, as Evidently and most PSI write-ups use, so log ratios stay finite. */
const MIN_SHARE = 1e-4;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => Math.max(total > 0 ? c / total : 0, MIN_SHARE));
}

/** Population stability index over the same bins: Σ (cur − ref) ln(cur / ref). */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const [p, q] = [shares(reference), shares(current)];
  return p.reduce((sum, pi, i) => sum + (q[i]! - pi) * Math.log(q[i]! / pi), 0);
}

/** Jensen-Shannon distance (natural log, as scipy's default): √JSD, in [0, √ln 2]. */
export function jensenShannon(reference: readonly number[], current: readonly number[]): number {
  const norm = (c: readonly number[]) => {
    const t = c.reduce((a, b) => a + b, 0);
    return c.map((v) => (t > 0 ? v / t : 0));
  };
  const [p, q] = [norm(reference), norm(current)];
  let divergence = 0;
  p.forEach((pi, i) => {
    const qi = q[i]!;
    const m = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log(pi / m);
    if (qi > 0) divergence += 0.5 * qi * Math.log(qi / m);
  });
  return Math.sqrt(Math.max(0, divergence));
}

/** Walks the union of two sketches' support in order, tracking both CDFs. */
function walkCdfs(a: KllSketch, b: KllSketch, visit: (x: number, fa: number, fb: number, next: number) => void): void {
  const [wa, wb] = [a.sortedWeighted(), b.sortedWeighted()];
  const [ta, tb] = [wa.reduce((s, [, w]) => s + w, 0), wb.reduce((s, [, w]) => s + w, 0)];
  let [i, j, ca, cb] = [0, 0, 0, 0];
  while (i < wa.length || j < wb.length) {
    const x = Math.min(i < wa.length ? wa[i]![0] : Infinity, j < wb.length ? wb[j]![0] : Infinity);
    while (i < wa.length && wa[i]![0] === x) ca += wa[i++]![1];
    while (j < wb.length && wb[j]![0] === x) cb += wb[j++]![1];
    const next = Math.min(i < wa.length ? wa[i]![0] : Infinity, j < wb.length ? wb[j]![0] : Infinity);
    visit(x, ca / ta, cb / tb, next);
  }
}

/** Two-sample Kolmogorov-Smirnov statistic D = sup |F_ref − F_cur|, from sketches. */
export function ksStatistic(reference: KllSketch, current: KllSketch): number {
  let d = 0;
  walkCdfs(reference, current, (_x, fa, fb) => (d = Math.max(d, Math.abs(fa - fb))));
  return d;
}

/**
 * KS test whose p-value is computed from the statistic minus both sketches' rank-error bounds, so
 * sketch error can only make the test more conservative, never raise a false alarm.
 */
export function ksTest(reference: KllSketch, current: KllSketch): { statistic: number; pValue: number; errorBound: number } {
  const statistic = ksStatistic(reference, current);
  const errorBound = reference.epsilon + current.epsilon;
  return { statistic, errorBound, pValue: ksPValue(Math.max(0, statistic - errorBound), reference.n, current.n) };
}

/** Wasserstein-1 distance ∫ |F_ref − F_cur| dx, from sketches. */
export function wasserstein(reference: KllSketch, current: KllSketch): number {
  let area = 0;
  walkCdfs(reference, current, (x, fa, fb, next) => {
    if (Number.isFinite(next)) area += Math.abs(fa - fb) * (next - x);
  });
  return area;
}

/** Chi-square goodness of fit of the current counts to the reference proportions. */
export function chiSquareTest(reference: CategoricalSketch, current: CategoricalSketch): { statistic: number; pValue: number; df: number } {
  const categories = new Set([...reference.counts.keys(), ...current.counts.keys()]);
  const refTotal = [...reference.counts.values()].reduce((a, b) => a + b, 0);
  const curTotal = [...current.counts.values()].reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (const c of categories) {
    // Categories unseen in the reference get the floor share, so their appearance counts as drift.
    const expected = Math.max((reference.counts.get(c) ?? 0) / refTotal, MIN_SHARE) * curTotal;
    const observed = current.counts.get(c) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  const df = Math.max(1, categories.size - 1);
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/** Aligned count vectors of two categorical sketches (for PSI/JS on categories). */
export function alignedCounts(reference: CategoricalSketch, current: CategoricalSketch): [number[], number[]] {
  const categories = [...new Set([...reference.counts.keys(), ...current.counts.keys()])].sort();
  return [categories.map((c) => reference.counts.get(c) ?? 0), categories.map((c) => current.counts.get(c) ?? 0)];
}
