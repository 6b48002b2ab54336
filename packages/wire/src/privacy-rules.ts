/**
 * The privacy rules a report obeys, shared by the device (which applies them before anything is
 * queued) and the collector (which refuses reports that break them). See README "Privacy".
 *
 * The unit of privacy is one device in one grid window: a device sends at most one report per
 * window, and every count group of that report (see countGroups) has an L1 norm of at most
 * `contributionBound`. So adding or removing one device changes the window's released vector by
 * at most `contributionBound × groups` in L1, which is what the collector's Laplace scale is
 * derived from.
 */
import type { Baseline } from './baseline-format.js';

export interface PrivacyRules {
  /** A device reports a window only once it holds at least this many runs (smaller windows roll into the next). */
  minRunsPerReport: number;
  /** Largest L1 norm of one count group of one report (the per-device contribution bound). */
  contributionBound: number;
  /** Most bins (edges + 1) a numeric feature may have. */
  maxBins: number;
  /** Most categories a categorical feature may have, `__other__` included. */
  maxCategories: number;
}

export const DEFAULT_PRIVACY_RULES: Readonly<PrivacyRules> = Object.freeze({ minRunsPerReport: 20, contributionBound: 20, maxBins: 32, maxCategories: 32 });

/** Default ε the collector spends per released window (Laplace, δ = 0); the device's ledger counts the same. */
export const DEFAULT_EPSILON_PER_WINDOW = 1;
/** Default daily ε budget per device: at most 8 reported windows a day at the default ε. */
export const DEFAULT_DAILY_EPSILON = 8;

/**
 * True for category keys a device may send: integers and strings that are not numbers. A key that
 * reads as a non-integer number ("1234.5677490234375") is a raw float input, so it is never a
 * category: it would send the value itself.
 */
export function isAllowedCategoryKey(key: string): boolean {
  const trimmed = key.trim();
  if (trimmed === '' || Number.isNaN(Number(trimmed))) return true;
  return /^-?(0|[1-9][0-9]{0,15})$/.test(trimmed);
}

/** The first rule a baseline breaks, naming the feature, or undefined when it may be used. */
export function baselinePrivacyProblem(baseline: Pick<Baseline, 'features'>, rules: Pick<PrivacyRules, 'maxBins' | 'maxCategories'> = DEFAULT_PRIVACY_RULES): { feature: string; message: string } | undefined {
  for (const [feature, f] of Object.entries(baseline.features)) {
    if (f.kind === 'numeric') {
      const bins = f.edges.length + 1;
      if (bins > rules.maxBins) return { feature, message: `feature "${feature}" has ${bins} bins; at most ${rules.maxBins} (maxBins): finer bins would pin a single input's value` };
    } else {
      const keys = Object.keys(f.counts);
      const bad = keys.find((k) => !isAllowedCategoryKey(k));
      if (bad !== undefined) return { feature, message: `feature "${feature}" declares category ${JSON.stringify(bad)}, a non-integer number: categories are integers or strings, a float input is never a category` };
      // __other__ takes one slot of the bound.
      if (keys.filter((k) => k !== '__other__').length + 1 > rules.maxCategories) {
        return { feature, message: `feature "${feature}" has ${keys.length} categories; at most ${rules.maxCategories - 1} plus "__other__" (maxCategories)` };
      }
    }
  }
  return undefined;
}

/** One count group of a report: where it is, and its counts (read and written through `set`). */
export interface CountGroup {
  /** Field path, e.g. `latencyMs` or `features."temp_max"`. */
  path: string;
  values: number[];
  /** Writes new values back in the same order. */
  set(values: readonly number[]): void;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberMap = (v: unknown): v is Record<string, number> => isPlain(v) && Object.values(v).every((x) => typeof x === 'number');
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const pathPart = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

/**
 * Every count group of a report body, found by shape rather than by name, so count sections added
 * to the report later are bounded (and noised) without code of their own. A group is an object
 * whose values are numbers, arrays of numbers, maps of numbers, or string tags (`kind`): counters,
 * backends, topClasses, latencyMs, confidence, each feature. Other objects (and objects made only
 * of objects) are walked into.
 * Envelope fields (v, id, model, window, token, …) are not part of a body.
 */
export function countGroups(body: Record<string, unknown>, prefix = ''): CountGroup[] {
  const groups: CountGroup[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (!isPlain(value)) continue;
    const path = prefix + pathPart(name);
    const fields = Object.entries(value);
    // An object made only of objects is a section (shadow, labels, canary): each part is its own group,
    // even when every part is a plain map of counts (canary's outcomes and evidence).
    const isSection = fields.length > 0 && fields.every(([, v]) => isPlain(v));
    const isGroup = !isSection && fields.length > 0 && fields.every(([, v]) => typeof v === 'number' || typeof v === 'string' || isNumberArray(v) || isNumberMap(v));
    if (!isGroup) {
      groups.push(...countGroups(value, `${path}.`));
      continue;
    }
    // Slots in field order, array elements by index, map keys sorted: fixed for a given shape.
    const slots: Array<{ get(): number; put(n: number): void }> = [];
    for (const [k, v] of fields) {
      if (typeof v === 'number') slots.push({ get: () => value[k] as number, put: (n) => void (value[k] = n) });
      else if (Array.isArray(v)) v.forEach((_, i) => slots.push({ get: () => v[i]!, put: (n) => void (v[i] = n) }));
      else if (isPlain(v)) for (const key of Object.keys(v).sort()) slots.push({ get: () => v[key] as number, put: (n) => void (v[key] = n) });
    }
    groups.push({ path, values: slots.map((s) => s.get()), set: (values) => values.forEach((n, i) => slots[i]!.put(n)) });
  }
  return groups;
}

/** L1 norm of a group's counts. */
export const groupL1 = (values: readonly number[]): number => values.reduce((s, v) => s + Math.abs(v), 0);

/** The fields of a report that are its envelope, not counts. */
export const ENVELOPE_FIELDS = ['v', 'id', 'model', 'modelVersion', 'baseline', 'window', 'token'] as const;
