import type { Baseline, FeatureBaseline } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { BaselineInvalidError } from './errors.js';
import { layoutOf } from './layout.js';

const numeric = (edges: number[]): FeatureBaseline => ({ kind: 'numeric', n: 1, missing: 0, min: 0, max: 1, mean: 0, std: 0, edges, counts: Array(edges.length + 1).fill(0), sketch: '' });
const categorical = (...names: string[]): FeatureBaseline => ({ kind: 'categorical', n: 1, missing: 0, counts: Object.fromEntries(names.map((n) => [n, 1])) });
const baseline = (features: Record<string, FeatureBaseline>): Baseline => ({ format: 'edgewise-baseline', version: 1, createdAt: '', rows: 1, features });
const refused = (features: Record<string, FeatureBaseline>, max = 1024) => {
  try {
    layoutOf(baseline(features), max);
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineInvalidError);
    return (error as Error).message;
  }
  return undefined;
};

describe('layoutOf (what a registered baseline fixes about reports)', () => {
  it('numeric features have edges + 1 bins, categorical ones their vocabulary', () => {
    const layout = layoutOf(baseline({ temp: numeric([1, 2, 3]), sky: categorical('sun', 'rain') }), 1024);
    expect([...layout.features.entries()]).toEqual([
      ['sky', { kind: 'categorical', vocabulary: new Set(['rain', 'sun']) }],
      ['temp', { kind: 'numeric', bins: 4 }],
    ]);
    expect(layout.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hashes what reports depend on, in any declaration order: names, kinds, edges, vocabularies', () => {
    const hash = (features: Record<string, FeatureBaseline>) => layoutOf(baseline(features), 1024).hash;
    const a = hash({ temp: numeric([1, 2]), sky: categorical('sun', 'rain') });
    expect(hash({ sky: categorical('rain', 'sun'), temp: numeric([1, 2]) })).toBe(a);
    const others = [
      hash({ temp: numeric([1, 2.5]), sky: categorical('sun', 'rain') }),
      hash({ temp: numeric([1, 2]), sky: categorical('sun', 'snow') }),
      hash({ temp2: numeric([1, 2]), sky: categorical('sun', 'rain') }),
      hash({ temp: numeric([1, 2]) }),
      hash({ temp: categorical('1', '2'), sky: categorical('sun', 'rain') }),
    ];
    expect(new Set([a, ...others]).size).toBe(6);
    // Counts and statistics are not part of it: the same layout however the training data fell.
    const recounted = { ...numeric([1, 2]), counts: [5, 6, 7], n: 18, mean: 3 } as FeatureBaseline;
    expect(hash({ temp: recounted, sky: categorical('sun', 'rain') })).toBe(a);
  });

  it('keeps the hash of a given layout across collector versions: stored counts are keyed by it', () => {
    // A change here orphans every count stored under the old hash (reads filter on it): it needs a migration.
    expect(layoutOf(baseline({ temp: numeric([1, 2.5]), sky: categorical('sun', 'rain') }), 1024).hash).toBe('7e34f6dcf91d0911cb9465ed970ca661');
  });

  it('at most 256 features and 1000 edges a feature, naming the count', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, numeric([0])]));
    expect(refused(many(256))).toBeUndefined();
    expect(refused(many(257))).toBe('baseline: 257 features; at most 256');
    const edges = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(refused({ x: numeric(edges(1000)) })).toBeUndefined();
    expect(refused({ x: numeric(edges(1001)) })).toBe('baseline: feature "x" has 1001 bin edges; at most 1000');
  });

  it('edges must be finite and strictly increasing, naming the first bad one', () => {
    expect(refused({ x: numeric([]) })).toBeUndefined();
    expect(refused({ x: numeric([1, 1]) })).toBe('baseline: feature "x" edges[1] = 1; edges must be finite and strictly increasing');
    expect(refused({ x: numeric([2, 1]) })).toBe('baseline: feature "x" edges[1] = 1; edges must be finite and strictly increasing');
    expect(refused({ x: numeric([0, Number.NaN]) })).toBe('baseline: feature "x" edges[1] = NaN; edges must be finite and strictly increasing');
    expect(refused({ x: numeric([Number.POSITIVE_INFINITY]) })).toBe('baseline: feature "x" edges[0] = Infinity; edges must be finite and strictly increasing');
    expect(refused({ x: numeric(['1' as unknown as number]) })).toBe('baseline: feature "x" edges[0] = "1"; edges must be finite and strictly increasing');
    expect(refused({ x: numeric([-1, 0, 1e-300]) })).toBeUndefined();
  });

  it('names and categories follow the report key rules; vocabularies are bounded', () => {
    expect(refused({ constructor: numeric([1]) })).toMatch(/^baseline: feature name "constructor" .*reserved/);
    expect(refused({ 'a\u0000': numeric([1]) })).toMatch(/^baseline: feature name "a\\u0000" /);
    expect(refused({ sky: categorical('sun', '__proto__x', 'toString') })).toMatch(/^baseline: feature "sky" category "toString" .*reserved/);
    expect(refused({ sky: categorical('a', 'b', 'c') }, 3)).toBeUndefined();
    expect(refused({ sky: categorical('a', 'b', 'c', 'd') }, 3)).toBe('baseline: feature "sky" has 4 categories; at most 3 (COLLECTOR_MAX_CATEGORIES)');
  });
});
