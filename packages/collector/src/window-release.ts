import { OTHER_KEY, type FeatureAggregate } from '@edgewise/wire';
import type { CollectorPrivacy } from './config.js';
import { laplace } from './laplace.js';
import type { Layout } from './layout.js';
import { CANARY_SERIES, groupOfSeries, LABEL_SERIES, releaseDomain, SHADOW_SERIES } from './release-domain.js';
import type { SeriesCounts } from './rollups.js';

export const COUNTER_NAMES = ['runs', 'errors', 'rejected', 'fallbacks'] as const;
export type ReleasedCounters = Record<(typeof COUNTER_NAMES)[number], number>;

/** One window's exact inputs to a release: what its devices added, and how many there were. */
export interface ExactWindow {
  counters: ReleasedCounters;
  counts: SeriesCounts;
  /** Distinct device tokens. */
  devices: number;
}

/** How a release was noised, so a reader can judge its error. */
export interface ReleaseNoise {
  mechanism: 'laplace';
  /** Total ε of this window per device: epsilonCounts + epsilonDevices. */
  epsilon: number;
  /** From listing windows by a noisy device count (see releaseThreshold). */
  delta: number;
  /** Noisy device count a window needs to be listed at all. */
  threshold: number;
  epsilonCounts: number;
  epsilonDevices: number;
  /** L1 bound of one device's contribution to every released count together: bound × groups. */
  sensitivity: number;
  contributionBound: number;
  groups: number;
  /** Share of ε_counts per feature group relative to any other group (features are what drift is computed from). */
  featureWeight: number;
  /** Laplace scale of each feature's counts; std = scale·√2. */
  scale: number;
  /** Laplace scale of every other released count (counters, backends, latency, confidence, classes, …). */
  otherScale: number;
}

/**
 * The Laplace scale a series was released with. Each group g gets scale bound·W / (w_g·ε_counts)
 * with W = Σ w_g: one device moves group g by at most `bound` in L1, so its privacy loss there is
 * at most w_g·ε_counts / W, and over all groups at most ε_counts.
 */
export const scaleOfSeries = (noise: ReleaseNoise, series: string): number => (isFeatureGroup(groupOfSeries(series)) ? noise.scale : noise.otherScale);
const isFeatureGroup = (group: string) => group.startsWith('feature:');
/**
 * The noisy device count a window needs to be released: at least k, and high enough that a window
 * holding a single device (which would not exist without it) passes with probability ≤ δ:
 * P(round(1 + Laplace(1/ε_d)) ≥ τ) ≤ ½·exp(-(τ - 1.5)·ε_d) ≤ δ.
 */
export function releaseThreshold(privacy: Pick<CollectorPrivacy, 'epsilon' | 'kShare' | 'delta'>, k: number): number {
  const epsilonDevices = privacy.epsilon * privacy.kShare;
  return Math.max(k, Math.ceil(1.5 + Math.log(1 / (2 * privacy.delta)) / epsilonDevices));
}

/** Feature groups get this many times the ε of any other group. */
export const FEATURE_WEIGHT = 4;

/** The stored release of one closed window: final, served to every later read as it is. */
export type WindowRelease =
  | { start: number; windowMs: number; withheld: true; reason: string; noise: ReleaseNoise }
  | { start: number; windowMs: number; withheld?: undefined; layout: string; devices: number; counters: ReleasedCounters; series: Record<string, Record<string, number>>; noise: ReleaseNoise };

/**
 * Noises one window (pure; `random` is the CSPRNG by default). Every count of every series in the
 * domain, and every counter, gets Laplace noise with a scale derived from the bounded per-device
 * contribution over all of them: each device adds at most `contributionBound` (L1) to each of
 * `groups` count groups, and ε_counts is shared among the groups (features weighted
 * FEATURE_WEIGHT, see scaleOfSeries), so the counts are ε_counts-DP together. The device count that decides withholding is noised
 * separately (sensitivity 1, ε_devices). Counts are rounded, not clamped: they stay unbiased and
 * may be negative. Withholding is decided on the noisy count against releaseThreshold, so it
 * reveals no exact count; a withheld window is never shown (see private-drift.ts).
 */
export function releaseWindow(
  window: { start: number; windowMs: number },
  exact: ExactWindow,
  layout: Layout | undefined,
  privacy: CollectorPrivacy,
  k: number,
  random?: () => number,
): WindowRelease {
  const domain = releaseDomain(layout, privacy.releasedClasses, privacy.releaseLabels, privacy.releaseShadow, privacy.releaseCanary);
  // Series outside the domain (sections added later) are released over the keys they hold; label
  // series (and shadow and canary series) are never among them: released in their fixed domain when
  // configured, else not at all (their presence would change the noise scale, and say that some device sent them).
  const optional = [...LABEL_SERIES, ...SHADOW_SERIES, ...CANARY_SERIES];
  for (const [series, keys] of exact.counts) if (!domain.has(series) && !optional.includes(series)) domain.set(series, [...keys.keys()].sort());
  const groupNames = [...new Set([...domain.keys()].map(groupOfSeries))];
  const groups = 1 + groupNames.length; // + 1: the counters
  const weights = 1 + groupNames.reduce((w, g) => w + (isFeatureGroup(g) ? FEATURE_WEIGHT : 1), 0);
  const epsilonDevices = privacy.epsilon * privacy.kShare;
  const epsilonCounts = privacy.epsilon - epsilonDevices;
  const sensitivity = privacy.contributionBound * groups;
  const scale = (privacy.contributionBound * weights) / (FEATURE_WEIGHT * epsilonCounts);
  const otherScale = (privacy.contributionBound * weights) / epsilonCounts;
  const threshold = releaseThreshold(privacy, k);
  const noise: ReleaseNoise = { mechanism: 'laplace', epsilon: privacy.epsilon, delta: privacy.delta, threshold, epsilonCounts, epsilonDevices, sensitivity, contributionBound: privacy.contributionBound, groups, featureWeight: FEATURE_WEIGHT, scale, otherScale };
  const devices = Math.round(exact.devices + laplace(1 / epsilonDevices, random));
  if (devices < threshold) return { ...window, withheld: true, reason: `fewer than ${threshold} devices (a noisy count; k = ${k}, δ = ${privacy.delta})`, noise };
  const noisy = (n: number, b: number) => Math.round(n + laplace(b, random)) + 0; // + 0: no -0 in JSON
  const series: Record<string, Record<string, number>> = {};
  for (const [name, keys] of domain) {
    const counts = exact.counts.get(name);
    const inDomain = new Set(keys);
    // Keys the domain does not list (class indices beyond it) are counted as __other__ before noise.
    let other = 0;
    for (const [key, n] of counts ?? []) if (!inDomain.has(key)) other += n;
    const out: Record<string, number> = {};
    const b = scaleOfSeries(noise, name);
    for (const key of keys) out[key] = noisy((counts?.get(key) ?? 0) + (key === OTHER_KEY ? other : 0), b);
    series[name] = out;
  }
  const counters = Object.fromEntries(COUNTER_NAMES.map((c) => [c, noisy(exact.counters[c], otherScale)])) as ReleasedCounters;
  return { ...window, layout: layout?.hash ?? '', devices, counters, series, noise };
}

/**
 * The non-negative vector with the same total closest (Euclidean) to `values`: the projection onto
 * the scaled simplex. What drift is computed from: it keeps the noisy total (unbiased) instead of
 * adding mass the way clamping each count at zero does; the released counts themselves stay raw.
 */
export function projectNonNegative(values: readonly number[]): number[] {
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return values.map(() => 0);
  const sorted = [...values].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i]!;
    const t = (cumulative - total) / (i + 1);
    if (sorted[i]! - t > 0) theta = t;
  }
  return values.map((v) => Math.max(0, v - theta));
}

/**
 * Every feature's counts through `project` (default: the non-negative projection of noisy counts,
 * what drift is computed from), numeric bins and category counts alike.
 */
export function projectFeatureCounts(features: Record<string, FeatureAggregate>, project: (values: readonly number[]) => number[] = projectNonNegative): Record<string, FeatureAggregate> {
  const out: Record<string, FeatureAggregate> = {};
  for (const [name, f] of Object.entries(features)) {
    if (f.kind === 'numeric') out[name] = { ...f, counts: project(f.counts) };
    else {
      const keys = Object.keys(f.counts);
      const values = project(keys.map((k) => f.counts[k]!));
      out[name] = { ...f, counts: Object.fromEntries(keys.map((k, i) => [k, values[i]!])) };
    }
  }
  return out;
}
