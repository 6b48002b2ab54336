import { countGroups, baselinePrivacyProblem, DEFAULT_PRIVACY_RULES, groupL1, isAllowedCategoryKey, OTHER_KEY, type Baseline, type PrivacyRules, type Report } from '@edgewise/wire';
import { BaselinePrivacyError } from './errors.js';
import type { PrivacyLedger } from './privacy-budget.js';
import { randomUnit } from './random-bytes.js';

/** A report without its envelope: what a model's aggregates() hands the uplink. */
export type ReportBody = Omit<Report, 'v' | 'id' | 'model' | 'modelVersion' | 'window' | 'baseline' | 'token'>;

/**
 * What the device enforces before anything is queued (README "Privacy"). Every field has a
 * default; the collector checks the same rules (and refuses reports that break them).
 */
export interface PrivacyOptions extends Partial<PrivacyRules> {
  /** ε the collector spends on each window this device reports in (default 1); the ledger records it. */
  epsilonPerWindow?: number;
  /** ε a device may spend per UTC day (default 8); once spent, it reports nothing more that day. */
  dailyEpsilon?: number;
  /** The report window grid (default one hour, as the collector's). */
  windowMs?: number;
  /** The model's baseline: checked at construction, and its vocabulary folds categories. */
  baseline?: Baseline;
  /** Where the spent budget is kept (default: in memory). */
  ledger?: PrivacyLedger;
}

/** Throws BaselinePrivacyError (naming the feature) when a baseline breaks the bin or category rules. */
export function checkBaselinePrivacy(baseline: Baseline, rules: Pick<PrivacyRules, 'maxBins' | 'maxCategories'> = DEFAULT_PRIVACY_RULES): void {
  const problem = baselinePrivacyProblem(baseline, rules);
  if (problem) throw new BaselinePrivacyError(problem.feature, `Uplink: ${problem.message}.`);
}

/**
 * Folds categories into what may be sent: integer or string keys of the baseline's vocabulary
 * (any other key, and any float written as a key, becomes "__other__"), at most maxCategories
 * of them; refuses numeric features with more than maxBins bins.
 */
function foldFeatures(body: ReportBody, rules: PrivacyRules, baseline: Baseline | undefined): void {
  for (const [name, f] of Object.entries(body.features)) {
    if (f.kind === 'numeric') {
      if (f.counts.length > rules.maxBins) throw new BaselinePrivacyError(name, `Uplink: feature "${name}" has ${f.counts.length} bins; at most ${rules.maxBins} (maxBins).`);
      continue;
    }
    const base = baseline?.features[name];
    const vocabulary = base?.kind === 'categorical' ? base.counts : undefined;
    const folded: Record<string, number> = {};
    for (const [key, count] of Object.entries(f.counts)) {
      const keep = key !== OTHER_KEY && isAllowedCategoryKey(key) && (!vocabulary || Object.hasOwn(vocabulary, key));
      const k = keep ? key : OTHER_KEY;
      folded[k] = (folded[k] ?? 0) + count;
    }
    // Beyond the bound, the rarest categories join __other__ (ties: by key, so it is deterministic).
    const named = Object.entries(folded).filter(([k]) => k !== OTHER_KEY).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    for (const [k, c] of named.slice(rules.maxCategories - 1)) {
      delete folded[k];
      folded[OTHER_KEY] = (folded[OTHER_KEY] ?? 0) + c;
    }
    f.counts = folded;
  }
}

/**
 * Scales every count group whose L1 norm exceeds `bound` down to exactly `bound`. Rounding to
 * integers is randomized (systematic sampling over the fractional parts, CSPRNG): each count is
 * rounded up with probability equal to its fractional part, so the expected count is the exact
 * scaled one (no bias towards any bin) and the group's total is exactly the bound. One device's
 * weight in every released series is at most `bound`.
 */
export function boundContribution(body: ReportBody, bound: number, random: () => number = randomUnit): void {
  for (const group of countGroups(body as unknown as Record<string, unknown>)) {
    const total = groupL1(group.values);
    if (total <= bound) continue;
    const exact = group.values.map((v) => (v * bound) / total);
    const out = exact.map(Math.floor);
    let next = random(); // the first pick lies at u, then u + 1, u + 2, … along the fractional parts
    let cumulative = 0;
    exact.forEach((x, i) => {
      cumulative += x - out[i]!;
      if (cumulative > next) {
        out[i]!++;
        next += 1;
      }
    });
    // Float round-off can leave the total one off the bound: settle it on the largest count.
    const diff = bound - out.reduce((a, b) => a + b, 0);
    if (diff !== 0) out[out.indexOf(Math.max(...out))]! += diff;
    group.set(out);
  }
}

/**
 * The device-side protection of one window's body (a copy): categories folded, bins checked, every
 * count group bounded. Runs below minRunsPerReport are the caller's to roll over (see Uplink).
 *
 * @example
 * const safe = protectCounts(body, { contributionBound: 20 });
 */
export function protectCounts(body: ReportBody, options: Partial<PrivacyRules> & { baseline?: Baseline } = {}): ReportBody {
  const rules = { ...DEFAULT_PRIVACY_RULES, ...options };
  const out = structuredClone(body);
  foldFeatures(out, rules, options.baseline);
  boundContribution(out, rules.contributionBound);
  keepOrderWithinGroups(out);
  return out;
}

/**
 * Counts of one group are rounded independently, so a relation between them can break:
 * 40 items all agreed, scaled to 20 / 3 each, may round to items 6, agreed 7 — a report the
 * collector's schema refuses (agreed ≤ items). Lowering the larger one restores it; this is
 * post-processing of already bounded counts, so the group stays within the bound and the
 * guarantee is unchanged.
 */
function keepOrderWithinGroups(body: ReportBody): void {
  const pairs: Array<{ agreed: number; items: number } | undefined> = [body.shadow?.counters, body.canary?.evidence];
  for (const c of pairs) if (c && c.agreed > c.items) c.agreed = c.items;
  // A report exists only for a window of ≥ minRunsPerReport runs, yet rounding can take `runs` to 0
  // when errors dominate the counters group (20 runs, 1,000 errors: 61 % of the time), and the
  // collector refuses a report without runs. Move one count from the largest other counter: the
  // total is unchanged, and it uses nothing but the rounded counts and that public rule.
  const c = body.counters;
  if (c.runs === 0) {
    const other = (['errors', 'rejected', 'fallbacks'] as const).reduce((a, b) => (c[b] > c[a] ? b : a));
    if (c[other] > 0) c[other]--;
    c.runs = 1;
  }
}

/** Adds body b into a (counts add; maps and arrays by key and index). Used to roll small windows over. */
export function addBodies<T>(a: T, b: T): T {
  const add = (x: unknown, y: unknown): unknown => {
    if (typeof x === 'number' && typeof y === 'number') return x + y;
    if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length ? x.map((v, i) => add(v, y[i])) : x;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      const out: Record<string, unknown> = { ...(x as Record<string, unknown>) };
      for (const [k, v] of Object.entries(y as Record<string, unknown>)) out[k] = Object.hasOwn(out, k) ? add(out[k], v) : structuredClone(v);
      return out;
    }
    return x;
  };
  return add(a, b) as T;
}
