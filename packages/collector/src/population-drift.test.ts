import { jensenShannon, psi } from '@edgewise/drift';
import type { Baseline, FeatureAggregate } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { populationDrift } from './population-drift.js';

const numeric = (counts: number[]) => ({ kind: 'numeric' as const, n: counts.reduce((a, b) => a + b, 0), missing: 0, min: 0, max: 1, mean: 0.5, std: 0.2, edges: counts.slice(1).map((_, i) => (i + 1) / counts.length), counts, sketch: '' });
const baseline: Baseline = {
  format: 'edgewise-baseline',
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
  rows: 100,
  features: {
    temp: numeric([25, 25, 25, 25]),
    sky: { kind: 'categorical', n: 100, missing: 0, counts: { sun: 60, rain: 40 } },
  },
};
const bins = (counts: number[]): FeatureAggregate => ({ kind: 'numeric', counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const cats = (counts: Record<string, number>): FeatureAggregate => ({ kind: 'categorical', counts, missing: 0 });

describe('populationDrift (merged bin counts against the baseline)', () => {
  it('numeric: PSI and Jensen-Shannon of the counts on the baseline\'s bins, exactly; drifted from the threshold on', () => {
    const [temp] = populationDrift(baseline, { temp: bins([10, 10, 10, 70]) });
    expect(temp).toEqual({ feature: 'temp', psi: psi([25, 25, 25, 25], [10, 10, 10, 70]), jensenShannon: jensenShannon([25, 25, 25, 25], [10, 10, 10, 70]), drifted: true, count: 100 });
    expect(temp!.psi).toBeGreaterThan(0.5);
    const [same] = populationDrift(baseline, { temp: bins([5, 5, 5, 5]) });
    expect(same).toMatchObject({ psi: 0, jensenShannon: 0, drifted: false, count: 20 });
    // At the threshold itself: drifted (js ≥ threshold).
    const js = temp!.jensenShannon;
    expect(populationDrift(baseline, { temp: bins([10, 10, 10, 70]) }, js)[0]!.drifted).toBe(true);
    expect(populationDrift(baseline, { temp: bins([10, 10, 10, 70]) }, js + 1e-12)[0]!.drifted).toBe(false);
  });

  it('categorical: over the union of categories, a category on one side only counting 0 on the other', () => {
    const [sky] = populationDrift(baseline, { sky: cats({ sun: 10, snow: 30 }) });
    // Keys sorted: rain, snow, sun.
    expect(sky).toEqual({ feature: 'sky', psi: psi([40, 0, 60], [0, 30, 10]), jensenShannon: jensenShannon([40, 0, 60], [0, 30, 10]), drifted: true, count: 40 });
    expect(populationDrift(baseline, { sky: cats({ rain: 4, sun: 6 }) })[0]).toMatchObject({ jensenShannon: 0, drifted: false, count: 10 });
  });

  it('leaves out what cannot be compared: no baseline feature (prototype names too), another kind, other bins, no counts', () => {
    expect(
      populationDrift(baseline, {
        wind: bins([1, 2, 3, 4]),
        constructor: bins([1, 2, 3, 4]),
        toString: cats({ a: 1 }),
        sky: bins([1, 1]),
        temp: bins([1, 2, 3]),
      }),
    ).toEqual([]);
    expect(populationDrift(baseline, { temp: cats({ a: 1 }) })).toEqual([]);
    expect(populationDrift(baseline, { temp: bins([0, 0, 0, 0]), sky: cats({}) })).toEqual([]);
    expect(populationDrift(baseline, { sky: cats({ constructor: 3 }) })[0]).toMatchObject({ feature: 'sky', count: 3, drifted: true });
  });

  it('keeps the order of the features given, one entry each', () => {
    expect(populationDrift(baseline, { sky: cats({ sun: 1 }), temp: bins([1, 1, 1, 1]) }).map((f) => f.feature)).toEqual(['sky', 'temp']);
  });
});
