import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { CategoricalSketch } from './categorical-sketch.js';
import { psi } from './drift-metrics.js';
import { compareToBaseline, DEFAULT_THRESHOLDS, sketchForBaseline } from './drift-report.js';
import { NumericSketch } from './numeric-sketch.js';

/** What compareToBaseline decides from sketches: which test, when there is too little data, what counts as drifted. */
const range = <T = number>(n: number, f: (i: number) => T = (i) => i as T) => Array.from({ length: n }, (_, i) => f(i));
const numeric = (values: number[], edges?: number[]) => {
  const s = new NumericSketch(edges);
  values.forEach((v) => s.update(v));
  return s;
};
const categorical = (values: string[]) => {
  const s = new CategoricalSketch();
  values.forEach((v) => s.update(v));
  return s;
};
const sky = (n: number) => range(n, (i) => ['sun', 'rain', 'fog'][i % 3]!);

describe('compareToBaseline: the test each feature gets', () => {
  it.each([
    [1000, 'ks'],
    [1001, 'wasserstein'],
  ])('a numeric baseline of %s rows uses %s', (n, method) => {
    const baseline = buildBaseline({ x: range(n) });
    expect(compareToBaseline(baseline, { x: numeric(range(50)) }).features[0]!.method).toBe(method);
  });

  it.each([
    [1000, 'chi-square'],
    [1001, 'jensen-shannon'],
  ])('a categorical baseline of %s rows uses %s', (n, method) => {
    const baseline = buildBaseline({ sky: sky(n) });
    expect(compareToBaseline(baseline, { sky: categorical(sky(50)) }).features[0]!.method).toBe(method);
  });

  it('a method named in the options wins, and its score is that metric', () => {
    const baseline = buildBaseline({ x: range(100) });
    const f = compareToBaseline(baseline, { x: numeric(range(100, (i) => i + 30)) }, { methods: { x: 'psi' } }).features[0]!;
    expect(f.method).toBe('psi');
    expect(f.score).toBe(f.metrics.psi);
    expect(f.threshold).toBe(DEFAULT_THRESHOLDS.psi);
  });
});

describe('compareToBaseline: too little data is "insufficient", never "drifted"', () => {
  const baseline = buildBaseline({ x: range(100) });
  const shifted = (n: number) => numeric(range(n, (i) => 1000 + i));

  it('29 values are insufficient by default, 30 are judged', () => {
    expect(compareToBaseline(baseline, { x: shifted(29) }).features[0]).toMatchObject({ insufficient: true, drifted: false, count: 29 });
    expect(compareToBaseline(baseline, { x: shifted(30) }).features[0]).toMatchObject({ insufficient: false, drifted: true, count: 30 });
  });

  it('minCount in the options moves that line', () => {
    expect(compareToBaseline(baseline, { x: shifted(30) }, { minCount: 31 }).features[0]!.insufficient).toBe(true);
    expect(compareToBaseline(baseline, { x: shifted(5) }, { minCount: 5 }).features[0]!.drifted).toBe(true);
  });

  it('an empty sketch has no metrics and a NaN score', () => {
    for (const [b, s] of [
      [baseline, { x: new NumericSketch() }],
      [buildBaseline({ sky: sky(10) }), { sky: new CategoricalSketch() }],
    ] as const) {
      const f = compareToBaseline(b, s, { minCount: 0 }).features[0]!;
      expect(f.metrics).toEqual({});
      expect(f.score).toBeNaN();
      expect(f).toMatchObject({ insufficient: true, drifted: false, count: 0 });
    }
  });

  it('a feature the baseline does not know is left out', () => {
    expect(compareToBaseline(baseline, { x: shifted(40), unknown: shifted(40) }).features.map((f) => f.feature)).toEqual(['x']);
  });

  it('a sketch of the wrong kind is a TypeError naming the feature', () => {
    const both = buildBaseline({ x: range(10), sky: sky(10) });
    expect(() => compareToBaseline(both, { x: categorical(['a']) })).toThrow(new TypeError('compareToBaseline: feature "x" is numeric in the baseline but categorical here.'));
    expect(() => compareToBaseline(both, { sky: numeric([1]) })).toThrow(new TypeError('compareToBaseline: feature "sky" is categorical in the baseline but numeric here.'));
  });
});

describe('compareToBaseline: thresholds and the share of drifted features', () => {
  const baseline = buildBaseline({ x: range(200), y: range(200), sky: sky(200) });
  const current = { x: numeric(range(200, (i) => i + 60)), y: numeric(range(200)), sky: categorical(sky(200)) };

  it('a distance at exactly its threshold is drifted (≥); a p-value at exactly its threshold is not (<)', () => {
    const scores = compareToBaseline(baseline, current, { methods: { x: 'psi', sky: 'chi-square' } }).features;
    const psiScore = scores.find((f) => f.feature === 'x')!.score;
    const pValue = scores.find((f) => f.feature === 'sky')!.score;
    const at = compareToBaseline(baseline, current, { methods: { x: 'psi', sky: 'chi-square' }, thresholds: { psi: psiScore, 'chi-square': pValue } }).features;
    expect(at.find((f) => f.feature === 'x')!.drifted).toBe(true);
    expect(at.find((f) => f.feature === 'sky')!.drifted).toBe(false);
    const above = compareToBaseline(baseline, current, { methods: { x: 'psi', sky: 'chi-square' }, thresholds: { psi: psiScore * 1.0001, 'chi-square': pValue * 1.0001 } }).features;
    expect(above.find((f) => f.feature === 'x')!.drifted).toBe(false);
    expect(above.find((f) => f.feature === 'sky')!.drifted).toBe(true);
  });

  it('one drifted feature of three is a share of 1/3: not drifted at the default 0.5, drifted at 1/3', () => {
    const report = compareToBaseline(baseline, current);
    expect(report.features.map((f) => [f.feature, f.drifted])).toEqual([
      ['x', true],
      ['y', false],
      ['sky', false],
    ]);
    expect(report.driftedShare).toBeCloseTo(1 / 3, 12);
    expect(report.drifted).toBe(false);
    expect(compareToBaseline(baseline, current, { driftShare: 1 / 3 }).drifted).toBe(true);
  });

  it('insufficient features do not count in the share; with none judged the report is not drifted', () => {
    const few = { x: numeric(range(200, (i) => i + 60)), y: numeric(range(10)) };
    const report = compareToBaseline(baseline, few);
    expect(report.driftedShare).toBe(1);
    expect(report.drifted).toBe(true);
    const none = compareToBaseline(baseline, { y: numeric(range(10)) });
    expect(none).toMatchObject({ driftedShare: 0, drifted: false });
  });
});

describe('compareToBaseline: bin counts for a sketch that did not count into the baseline bins', () => {
  const values = range(100, (i) => (i * 37) % 100);
  const baseline = buildBaseline({ x: values }, { bins: 5 });
  const edges = (baseline.features.x as { edges: number[] }).edges;
  const drifted = range(100, (i) => (i * 37) % 100 + (i % 2) * 25);

  it('come from its CDF: the same PSI as exact counting (the sketch is exact below k values)', () => {
    for (const data of [values, drifted]) {
      const exact = compareToBaseline(baseline, { x: numeric(data, edges) }, { methods: { x: 'psi' } }).features[0]!.score;
      const fromCdf = compareToBaseline(baseline, { x: numeric(data) }, { methods: { x: 'psi' } }).features[0]!.score;
      expect(fromCdf).toBeCloseTo(exact, 12);
    }
    expect(compareToBaseline(baseline, { x: numeric(values) }, { methods: { x: 'psi' } }).features[0]!.score).toBeCloseTo(0, 12);
  });

  it('a sketch with as many edges but different ones is not read as if its bins were the baseline\'s', () => {
    const other = edges.map((e, i) => (i === edges.length - 1 ? e + 7 : e));
    const exact = psi(baseline.features.x!.kind === 'numeric' ? (baseline.features.x as { counts: number[] }).counts : [], numeric(drifted, edges).binCounts!);
    expect(compareToBaseline(baseline, { x: numeric(drifted, other) }, { methods: { x: 'psi' } }).features[0]!.score).toBeCloseTo(exact, 12);
  });
});

describe('sketchForBaseline', () => {
  it('a numeric feature gets its edges and range; a categorical one a categorical sketch', () => {
    const baseline = buildBaseline({ x: range(50), sky: sky(10) }, { bins: 4 });
    const x = sketchForBaseline(baseline.features.x!) as NumericSketch;
    expect(x).toBeInstanceOf(NumericSketch);
    expect(x.edges).toEqual((baseline.features.x as { edges: number[] }).edges);
    expect(x.range).toEqual([0, 49]);
    expect(sketchForBaseline(baseline.features.sky!)).toBeInstanceOf(CategoricalSketch);
  });
});
