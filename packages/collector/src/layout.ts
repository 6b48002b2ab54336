import { createHash } from 'node:crypto';
import type { Baseline } from '@edgewise/drift';
import { keyProblem } from '@edgewise/wire';
import { BaselineInvalidError } from './errors.js';

export type FeatureLayout = { kind: 'numeric'; bins: number } | { kind: 'categorical'; vocabulary: ReadonlySet<string> };

/**
 * What a registered baseline fixes about reports for its model version: which features exist, of
 * which kind, with how many bins or which categories. Reports are checked against it, never
 * against whichever report arrived first.
 */
export interface Layout {
  /** Hash of the features, edges and vocabularies: counts are stored under it. */
  readonly hash: string;
  readonly features: ReadonlyMap<string, FeatureLayout>;
}

/** The most features a baseline may declare, and bin edges per numeric feature (the wire allows 1001 bins). */
const MAX_FEATURES = 256;
const MAX_EDGES = 1000;

/**
 * The layout of a parsed baseline, checking what parseBaseline does not: names and categories
 * follow the report key rules, edges are finite and increasing, vocabularies are bounded.
 */
export function layoutOf(baseline: Baseline, maxCategoriesPerFeature: number): Layout {
  const entries = Object.entries(baseline.features);
  if (entries.length > MAX_FEATURES) throw new BaselineInvalidError(`baseline: ${entries.length} features; at most ${MAX_FEATURES}`);
  const features = new Map<string, FeatureLayout>();
  const canonical: unknown[] = [];
  // Object keys are distinct: the order never needs a tie.
  for (const [name, feature] of entries.sort(([a], [b]) => (a < b ? -1 : 1))) {
    const problem = keyProblem(name);
    if (problem) throw new BaselineInvalidError(`baseline: feature name ${JSON.stringify(name)} ${problem}`);
    if (feature.kind === 'numeric') {
      const { edges } = feature;
      if (edges.length > MAX_EDGES) throw new BaselineInvalidError(`baseline: feature "${name}" has ${edges.length} bin edges; at most ${MAX_EDGES}`);
      edges.forEach((e, i) => {
        if (!Number.isFinite(e) || (i > 0 && !(e > edges[i - 1]!))) {
          // String(), not JSON: JSON writes NaN and Infinity as null, which would hide what was wrong.
          throw new BaselineInvalidError(`baseline: feature "${name}" edges[${i}] = ${typeof e === 'number' ? String(e) : JSON.stringify(e)}; edges must be finite and strictly increasing`);
        }
      });
      features.set(name, { kind: 'numeric', bins: edges.length + 1 });
      canonical.push([name, 'numeric', edges]);
    } else {
      const vocabulary = Object.keys(feature.counts).sort();
      if (vocabulary.length > maxCategoriesPerFeature) {
        throw new BaselineInvalidError(`baseline: feature "${name}" has ${vocabulary.length} categories; at most ${maxCategoriesPerFeature} (COLLECTOR_MAX_CATEGORIES)`);
      }
      for (const category of vocabulary) {
        const bad = keyProblem(category);
        if (bad) throw new BaselineInvalidError(`baseline: feature "${name}" category ${JSON.stringify(category)} ${bad}`);
      }
      features.set(name, { kind: 'categorical', vocabulary: new Set(vocabulary) });
      canonical.push([name, 'categorical', vocabulary]);
    }
  }
  const hash = createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
  return { hash, features };
}
