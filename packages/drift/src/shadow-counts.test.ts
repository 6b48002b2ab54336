import { LATENCY_EDGES_MS, SHADOW_DIFF_EDGES } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { binIndex } from './numeric-sketch.js';
import { ShadowTally } from './shadow-counts.js';

const compared = (o: Partial<{ items: number; agreed: number; meanAbsDiff: number; activeMs: number; candidateMs: number }> = {}) => ({ kind: 'compared' as const, items: 1, agreed: 1, meanAbsDiff: 0.01, activeMs: 2, candidateMs: 4, ...o });

describe('ShadowTally', () => {
  it('starts empty with bins one longer than their edges; a summary of nothing is NaN, not 0', () => {
    const t = new ShadowTally();
    expect(t.empty).toBe(true);
    expect(t.counts.absDiff.counts).toHaveLength(SHADOW_DIFF_EDGES.length + 1);
    expect(t.counts.activeLatencyMs.counts).toHaveLength(LATENCY_EDGES_MS.length + 1);
    expect(t.counts.candidateLatencyMs.counts).toHaveLength(LATENCY_EDGES_MS.length + 1);
    const s = t.summary();
    expect([s.agreement, s.meanAbsDiff, s.activeMs, s.candidateMs, s.latencyRatio]).toEqual([NaN, NaN, NaN, NaN, NaN]);
  });

  it.each([
    ['an error', { kind: 'error' as const }, 'errors'],
    ['a dropped offer', { kind: 'dropped' as const }, 'dropped'],
  ])('%s alone makes it non-empty and counts nothing else', (_, outcome, key) => {
    const t = new ShadowTally();
    t.add(outcome);
    expect(t.empty).toBe(false);
    expect(t.counts.counters).toEqual({ runs: 0, items: 0, agreed: 0, errors: 0, dropped: 0, [key]: 1 });
    expect(t.summary().runs).toBe(0);
  });

  it('compared runs: counts, bins, means per run, agreement per item and the latency ratio of sums', () => {
    const t = new ShadowTally();
    t.add(compared({ items: 3, agreed: 2, meanAbsDiff: 0.01, activeMs: 2, candidateMs: 4 }));
    t.add(compared({ items: 1, agreed: 1, meanAbsDiff: 0.03, activeMs: 6, candidateMs: 6 }));
    t.add(compared({ items: 1, agreed: 0, meanAbsDiff: Number.NaN, activeMs: 1, candidateMs: 2 }));
    expect(t.counts.counters).toEqual({ runs: 3, items: 5, agreed: 3, errors: 0, dropped: 0 });
    expect(t.counts.absDiff.nan).toBe(1);
    expect(t.counts.absDiff.counts[binIndex(SHADOW_DIFF_EDGES, 0.01)]).toBe(1);
    expect(t.counts.absDiff.counts[binIndex(SHADOW_DIFF_EDGES, 0.03)]).toBe(1);
    expect(t.counts.activeLatencyMs.counts.reduce((a, b) => a + b, 0)).toBe(3);
    const s = t.summary();
    expect(s.agreement).toBeCloseTo(3 / 5, 12);
    expect(s.activeMs).toBeCloseTo(3, 12);
    expect(s.candidateMs).toBeCloseTo(4, 12);
    expect(s.latencyRatio).toBeCloseTo(12 / 9, 12);
  });

  it('merging a tally from JSON adds counts, bins and sums', () => {
    const a = new ShadowTally();
    a.add(compared({ activeMs: 2, candidateMs: 4 }));
    a.add({ kind: 'error' });
    const b = new ShadowTally();
    b.add(compared({ activeMs: 4, candidateMs: 4, meanAbsDiff: Number.NaN }));
    b.add({ kind: 'dropped' });
    a.merge(JSON.parse(JSON.stringify(b.toJSON())));
    expect(a.counts.counters).toEqual({ runs: 2, items: 2, agreed: 2, errors: 1, dropped: 1 });
    expect(a.counts.absDiff.nan).toBe(1);
    expect(a.counts.candidateLatencyMs.counts.reduce((x, y) => x + y, 0)).toBe(2);
    expect(a.summary()).toMatchObject({ activeMs: 3, candidateMs: 4, latencyRatio: 8 / 6 });
  });

  it('a NaN or incomparable (Infinity) difference is binned but leaves the mean of the finite ones intact, also after a merge', () => {
    const t = new ShadowTally();
    t.add(compared({ meanAbsDiff: 0.02 }));
    t.add(compared({ meanAbsDiff: Number.NaN }));
    t.add(compared({ meanAbsDiff: Number.POSITIVE_INFINITY }));
    t.add(compared({ meanAbsDiff: 0.04 }));
    expect(t.summary().meanAbsDiff).toBeCloseTo(0.03, 12);
    expect(t.counts.absDiff.nan).toBe(1);
    expect(t.counts.absDiff.counts.at(-1)).toBe(1);
    const only = new ShadowTally();
    only.add(compared({ meanAbsDiff: Number.NaN }));
    expect(only.summary().meanAbsDiff).toBeNaN();
    const merged = new ShadowTally();
    merged.merge(JSON.parse(JSON.stringify(t.toJSON())));
    merged.merge(JSON.parse(JSON.stringify(only.toJSON())));
    expect(merged.summary().meanAbsDiff).toBeCloseTo(0.03, 12);
    // A snapshot written before finite runs were counted: every run was summed.
    merged.merge({ counts: only.counts, sums: { absDiff: 0.5, activeMs: 0, candidateMs: 0 } });
    expect(merged.summary().meanAbsDiff).toBeCloseTo(0.56 / 3, 12);
  });
});
