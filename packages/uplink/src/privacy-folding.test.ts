import type { Baseline } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { BaselinePrivacyError } from './errors.js';
import { addBodies, protectCounts, type ReportBody } from './privacy.js';

const bins = (counts: number[]) => ({ counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const body = (features: ReportBody['features'], counters = { runs: 40, errors: 0, rejected: 0, fallbacks: 0 }): ReportBody => ({
  counters,
  backends: { wasm: counters.runs },
  latencyMs: bins([counters.runs]),
  confidence: bins([counters.runs]),
  topClasses: {},
  features,
});
/** Big enough that no group is scaled: these tests are about folding and ordering, not the bound. */
const UNBOUNDED = { contributionBound: 1e9 };
const categories = (counts: Record<string, number>) => ({ kind: 'categorical' as const, counts, missing: 0 });
const folded = (out: ReportBody, name = 'sky') => (out.features[name] as { counts: Record<string, number> }).counts;

describe('category folding on the device', () => {
  it('beyond maxCategories the rarest named categories join __other__ (ties broken by key), __other__ included in the bound', () => {
    const out = protectCounts(body({ sky: categories({ b: 2, a: 2, c: 2, d: 9, __other__: 1 }) }), { ...UNBOUNDED, maxCategories: 3 });
    expect(folded(out)).toEqual({ d: 9, a: 2, __other__: 5 });
    const fresh = protectCounts(body({ sky: categories({ x: 1, y: 1, z: 1 }) }), { ...UNBOUNDED, maxCategories: 2 });
    expect(folded(fresh)).toEqual({ x: 1, __other__: 2 });
  });

  it('keeps categories within the bound as they are', () => {
    const out = protectCounts(body({ sky: categories({ rain: 3, sun: 5 }) }), { ...UNBOUNDED, maxCategories: 3 });
    expect(folded(out)).toEqual({ rain: 3, sun: 5 });
  });

  it("sends only the baseline's vocabulary and integer or text keys: anything else is __other__", () => {
    const baseline = { features: { sky: { kind: 'categorical', counts: { rain: 10, sun: 10, '3': 1 } } } } as unknown as Baseline;
    const out = protectCounts(body({ sky: categories({ rain: 3, '2.5': 4, snow: 2, '3': 1, __other__: 1 }) }), { ...UNBOUNDED, baseline });
    expect(folded(out)).toEqual({ rain: 3, '3': 1, __other__: 7 });
    const noBaseline = protectCounts(body({ sky: categories({ rain: 3, '2.5': 4, '7': 1 }) }), UNBOUNDED);
    expect(folded(noBaseline)).toEqual({ rain: 3, '7': 1, __other__: 4 });
  });

  it('refuses a numeric feature with more than maxBins bins, naming it; maxBins bins pass', () => {
    const numeric = (n: number) => ({ kind: 'numeric' as const, ...bins(new Array<number>(n).fill(1)) });
    expect(() => protectCounts(body({ temp: numeric(33) }), UNBOUNDED)).toThrow(BaselinePrivacyError);
    try {
      protectCounts(body({ temp: numeric(33) }), UNBOUNDED);
    } catch (error) {
      expect(error).toMatchObject({ feature: 'temp', code: 'E_BASELINE_PRIVACY', message: expect.stringContaining('"temp" has 33 bins; at most 32') });
    }
    expect(protectCounts(body({ temp: numeric(32) }), UNBOUNDED).features.temp).toMatchObject({ counts: new Array(32).fill(1) });
  });
});

describe('a report always has runs after rounding', () => {
  it('moves one count from the largest other counter (the first of equals) when runs rounded to 0', () => {
    const counters = (c: Partial<ReportBody['counters']>) => protectCounts(body({}, { runs: 0, errors: 0, rejected: 0, fallbacks: 0, ...c }), UNBOUNDED).counters;
    expect(counters({ errors: 5, rejected: 7 })).toEqual({ runs: 1, errors: 5, rejected: 6, fallbacks: 0 });
    expect(counters({ errors: 5, rejected: 5 })).toEqual({ runs: 1, errors: 4, rejected: 5, fallbacks: 0 });
    expect(counters({ fallbacks: 2 })).toEqual({ runs: 1, errors: 0, rejected: 0, fallbacks: 1 });
    expect(counters({})).toEqual({ runs: 1, errors: 0, rejected: 0, fallbacks: 0 });
    expect(counters({ runs: 3, errors: 9 })).toEqual({ runs: 3, errors: 9, rejected: 0, fallbacks: 0 });
  });
});

describe('addBodies (small windows rolled into the next)', () => {
  it('adds counts, arrays by index and maps by key, copying what only the second has', () => {
    const a = { n: 1, list: [1, 2], map: { x: 1 }, text: 'a' };
    const b = { n: 2, list: [10, 20], map: { x: 2, y: { deep: 3 } }, text: 'b' };
    const sum = addBodies(a as object, b as object) as typeof a & { map: { y?: { deep: number } } };
    expect(sum).toEqual({ n: 3, list: [11, 22], map: { x: 3, y: { deep: 3 } }, text: 'a' });
    b.map.y.deep = 99; // the sum holds a copy, not b's object
    expect(sum.map.y!.deep).toBe(3);
    expect(a).toEqual({ n: 1, list: [1, 2], map: { x: 1 }, text: 'a' });
  });

  it("keeps the first side where the shapes differ (bins changed length, a count against a map)", () => {
    expect(addBodies({ c: [1, 2] } as object, { c: [1, 2, 3] } as object)).toEqual({ c: [1, 2] });
    expect(addBodies({ c: 1 } as object, { c: { x: 1 } } as object)).toEqual({ c: 1 });
    expect(addBodies({ c: { x: 1 } } as object, { c: 1 } as object)).toEqual({ c: { x: 1 } });
    expect(addBodies({ c: null } as object, { c: { x: 1 } } as object)).toEqual({ c: null });
  });
});
