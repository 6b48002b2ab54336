import { describe, expect, it } from 'vitest';
import { baselineCategorical, baselineKll, BaselineFormatError, buildBaseline, buildCategoricalBaseline, buildNumericBaseline, parseBaseline } from './baseline.js';

/** What a model's shipped baseline holds must be exactly what its training column says. */
describe('buildNumericBaseline: exact figures of the training column', () => {
  it('quantile edges, bin counts (values in (edge[i-1], edge[i]]), n, min, max, mean and std of 0..99', () => {
    const values = Array.from({ length: 100 }, (_, i) => 99 - i); // reversed: the builder sorts
    const b = buildNumericBaseline(values, 10);
    expect(b.edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(b.counts).toEqual([11, 10, 10, 10, 10, 10, 10, 10, 10, 9]);
    expect(b).toMatchObject({ kind: 'numeric', n: 100, missing: 0, min: 0, max: 99, mean: 49.5 });
    expect(b.std).toBeCloseTo(Math.sqrt((100 ** 2 - 1) / 12), 10);
  });

  it('sorts numerically, not as text (10 < 9 as strings)', () => {
    const b = buildNumericBaseline([100, 9, 10, 1], 4);
    expect(b.edges).toEqual([9, 10, 100]);
    expect([b.min, b.max]).toEqual([1, 100]);
  });

  it('equal values collapse bins: edges stay strictly increasing and every value is counted', () => {
    const b = buildNumericBaseline([1, 1, 1, 1, 1, 1, 2, 3], 4);
    expect(b.edges).toEqual([1, 2]);
    expect(b.counts).toEqual([6, 1, 1]);
  });

  it('null, undefined and NaN are missing, not values: they count in "missing" only', () => {
    const b = buildNumericBaseline([3, null, 5, Number.NaN, undefined, 7], 2);
    expect(b).toMatchObject({ n: 3, missing: 3, min: 3, max: 7, mean: 5 });
    expect(b.counts.reduce((a, c) => a + c, 0)).toBe(3);
    expect(baselineKll(b).n).toBe(3);
  });

  it('a column with no numeric value is a RangeError that says so', () => {
    expect(() => buildNumericBaseline([null, Number.NaN, undefined])).toThrow(RangeError);
    expect(() => buildNumericBaseline([null])).toThrow('buildNumericBaseline: the column has no numeric values.');
  });

  it('its KLL sketch holds every value: the median and extremes of 1000 values within the sketch error', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const kll = baselineKll(buildNumericBaseline(values));
    expect(kll.n).toBe(1000);
    expect(Math.abs(kll.quantile(0.5) - 500)).toBeLessThanOrEqual(1000 * kll.epsilon);
    expect(kll.quantile(0)).toBe(0);
    expect(kll.quantile(1)).toBe(999);
  });
});

describe('buildCategoricalBaseline', () => {
  it('counts each category; null, undefined and "" are missing; numbers become their text', () => {
    expect(buildCategoricalBaseline(['sun', 'rain', 'sun', null, '', undefined, 3, '3'])).toEqual({ kind: 'categorical', n: 5, missing: 3, counts: { sun: 2, rain: 1, '3': 2 } });
  });

  it('baselineCategorical keeps every category of a large baseline exactly (capacity grows past the default 64)', () => {
    const counts = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, i + 1]));
    const sketch = baselineCategorical({ kind: 'categorical', n: 0, missing: 0, counts });
    expect(sketch.errorBound).toBe(0);
    expect(Object.fromEntries(sketch.counts)).toEqual(counts);
  });
});

describe('buildBaseline', () => {
  it('numeric columns are those of numbers (nulls allowed); text or a listed name makes a column categorical', () => {
    const b = buildBaseline({ t: [1, 2, null, 4], city: ['a', 'b', 'a'], mixed: [1, 'x'], code: [7, 7, 8, 9, 9] }, { categorical: ['code'], bins: 2 });
    expect(b).toMatchObject({ format: 'edgewise-baseline', version: 1, rows: 5 });
    expect(Number.isNaN(Date.parse(b.createdAt))).toBe(false);
    expect(b.features.t).toMatchObject({ kind: 'numeric', n: 3, missing: 1 });
    expect(b.features.city).toEqual({ kind: 'categorical', n: 3, missing: 0, counts: { a: 2, b: 1 } });
    expect(b.features.mixed).toMatchObject({ kind: 'categorical', counts: { '1': 1, x: 1 } });
    expect(b.features.code).toMatchObject({ kind: 'categorical', counts: { '7': 2, '8': 1, '9': 2 } });
  });

  it('rows is the longest column', () => {
    expect(buildBaseline({ a: [1, 2], b: [1, 2, 3, 4, 5, 6], c: [1] }).rows).toBe(6);
  });

  it.each([1, 1001, 2.5, Number.NaN])('"bins" %s is a RangeError naming the allowed range', (bins) => {
    expect(() => buildBaseline({ x: [1, 2, 3] }, { bins })).toThrow(RangeError);
    expect(() => buildBaseline({ x: [1, 2, 3] }, { bins })).toThrow(`buildBaseline: "bins" must be an integer in [2, 1000]; received ${bins}.`);
  });

  it.each([2, 1000])('"bins" %s is allowed', (bins) => {
    const values = Array.from({ length: 3000 }, (_, i) => i);
    expect((buildBaseline({ x: values }, { bins }).features.x as { edges: number[] }).edges).toHaveLength(bins - 1);
  });
});

describe('parseBaseline: a damaged or foreign file is a BaselineFormatError naming what is wrong', () => {
  const good = () => JSON.parse(JSON.stringify(buildBaseline({ x: [1, 2, 3, 4, 5, 6], sky: ['sun', 'rain'] }, { bins: 3 })));

  it('a built baseline survives JSON and parses to itself', () => {
    const json = good();
    expect(parseBaseline(json)).toEqual(json);
  });

  const cases: Array<[string, (b: Record<string, any>) => unknown, string]> = [
    ['null', () => null, 'expected a JSON object'],
    ['a string', () => 'edgewise-baseline', 'expected a JSON object'],
    ['another format', (b) => ({ ...b, format: 'whylogs' }), '"format" is "whylogs", expected "edgewise-baseline"'],
    ['version 2', (b) => ({ ...b, version: 2 }), '"version" is 2, this SDK reads version 1'],
    ['features null', (b) => ({ ...b, features: null }), '"features" must be an object'],
    ['features a string', (b) => ({ ...b, features: 'x' }), '"features" must be an object'],
    ['counts not edges + 1', (b) => ((b.features.x.counts = [1, 2]), b), 'feature "x" needs "edges" and "counts" with counts.length = edges.length + 1'],
    ['edges missing', (b) => (delete b.features.x.edges, b), 'feature "x" needs "edges" and "counts"'],
    ['counts missing', (b) => (delete b.features.x.counts, b), 'feature "x" needs "edges" and "counts"'],
    ['no sketch', (b) => (delete b.features.x.sketch, b), 'feature "x" has no "sketch"'],
    ['a damaged sketch', (b) => ((b.features.x.sketch = btoa('\u0001\u0002')), b), 'feature "x" has a damaged sketch ('],
    ['categorical counts null', (b) => ((b.features.sky.counts = null), b), 'feature "sky" needs "counts"'],
    ['categorical counts missing', (b) => (delete b.features.sky.counts, b), 'feature "sky" needs "counts"'],
    ['an unknown kind', (b) => ((b.features.sky.kind = 'text'), b), 'feature "sky" has kind "text", expected "numeric" or "categorical"'],
    ['a feature that is null', (b) => ((b.features.sky = null), b), 'feature "sky" has kind undefined, expected "numeric" or "categorical"'],
  ];
  it.each(cases)('%s', (_, damage, message) => {
    const parse = () => parseBaseline(damage(good()));
    expect(parse).toThrow(BaselineFormatError);
    expect(parse).toThrow(`Not a valid Edgewise baseline: ${message}`);
    try {
      parse();
    } catch (e) {
      expect((e as BaselineFormatError).code).toBe('E_BASELINE_FORMAT');
      expect((e as Error).name).toBe('BaselineFormatError');
    }
  });
});
