import { describe, expect, it } from 'vitest';
import { baselinePrivacyProblem, countGroups, groupL1, isAllowedCategoryKey } from './privacy-rules.js';

describe('privacy rules', () => {
  it('category keys: integers and non-numeric strings; a non-integer number never', () => {
    for (const k of ['0', '17', '-3', 'rain', 'Zürich', '__other__', '1e', 'NaN-ish']) expect(isAllowedCategoryKey(k), k).toBe(true);
    for (const k of ['1234.5677490234375', '0.5', '1e-7', '-2.25', ' 3.5 ', 'Infinity', '12345678901234567890']) expect(isAllowedCategoryKey(k), k).toBe(false);
  });

  it('baselines: bins and categories bounded, floats refused, the feature named', () => {
    const numeric = (edges: number) => ({ kind: 'numeric' as const, n: 1, missing: 0, min: 0, max: 1, mean: 0, std: 0, edges: Array.from({ length: edges }, (_, i) => i), counts: [], sketch: '' });
    expect(baselinePrivacyProblem({ features: { a: numeric(31) } })).toBeUndefined();
    expect(baselinePrivacyProblem({ features: { a: numeric(32) } })).toMatchObject({ feature: 'a', message: /33 bins; at most 32/ });
    const categorical = (keys: string[]) => ({ kind: 'categorical' as const, n: 1, missing: 0, counts: Object.fromEntries(keys.map((k) => [k, 1])) });
    expect(baselinePrivacyProblem({ features: { c: categorical(Array.from({ length: 31 }, (_, i) => `k${i}`)) } })).toBeUndefined();
    expect(baselinePrivacyProblem({ features: { c: categorical(Array.from({ length: 32 }, (_, i) => `k${i}`)) } })).toMatchObject({ feature: 'c' });
    expect(baselinePrivacyProblem({ features: { w: categorical(['1', '2.5']) } })).toMatchObject({ feature: 'w', message: /"2\.5", a non-integer number/ });
  });

  it('count groups are found by shape, so sections added later are bounded too', () => {
    const body = {
      counters: { runs: 3, errors: 1 },
      latencyMs: { counts: [1, 2], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
      features: { x: { kind: 'numeric', counts: [1, 2], missing: 1, nan: 0, belowRange: 0, aboveRange: 0 }, sky: { kind: 'categorical', counts: { rain: 2, sun: 1 }, missing: 0 } },
      shadow: { agreement: { counts: [4, 5] } },
    };
    const groups = countGroups(body);
    expect(groups.map((g) => g.path)).toEqual(['counters', 'latencyMs', 'features.x', 'features.sky', 'shadow.agreement']);
    expect(groups.map((g) => groupL1(g.values))).toEqual([4, 3, 4, 3, 9]);
    groups[3]!.set([5, 6, 7]);
    // A section made only of count maps is walked into: each map is a group of its own.
    const canary = { canary: { outcomes: { passed: 0, rolledBackAgreement: 1 }, evidence: { runs: 60, agreed: 5 } } };
    expect(countGroups(canary).map((g) => [g.path, groupL1(g.values)])).toEqual([['canary.outcomes', 1], ['canary.evidence', 65]]);
    expect(body.features.sky).toEqual({ kind: 'categorical', counts: { rain: 5, sun: 6 }, missing: 7 });
  });
});
