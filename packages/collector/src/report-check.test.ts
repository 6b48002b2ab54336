import { buildBaseline } from '@edgewise/drift';
import { CONFIDENCE_EDGES, type Report } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './config.js';
import { layoutOf } from './layout.js';
import { bins, fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';

// These tests are about the counting rules; the privacy rules have their own suite.
const OFF = { ...DEFAULTS, privacy: false as const };

const baseline = buildBaseline({ x: Array.from({ length: 100 }, (_, i) => i), sky: Array.from({ length: 100 }, (_, i) => (i % 2 ? 'sun' : 'rain')) }, { bins: 4 });
const registered = { baseline, layout: layoutOf(baseline, 1024) };
// Upper-case ids: the collector must count them as the same report as their lower-case form.
const report = (runs: number, patch: Partial<Report> = {}): Report => {
  const r = fixtureReport(runs, { features: { x: { kind: 'numeric', ...bins(4, runs) }, sky: { kind: 'categorical', counts: { sun: 1, 'typed by a user': runs - 1 }, missing: 0 } }, ...patch });
  return patch.id ? r : { ...r, id: r.id.toUpperCase() };
};

describe('checkReport', () => {
  it('turns a report into counts on the window grid, folding unknown categories, backends and big class indices', () => {
    const r = report(5, { backends: { wasm: 3, webnn: 2 }, topClasses: { '3': 4, '99999': 1 } });
    const a = checkReport(r, 'app', registered, { ...DEFAULTS, privacy: false as const, maxClasses: 1000 }, NOW);
    expect(a.windowStart).toBe(Date.parse('2026-06-01T12:00:00Z'));
    expect(a.id).toBe(r.id.toLowerCase());
    expect(a.counts.backends).toEqual({ wasm: 3, __other__: 2 });
    expect(a.counts.classes).toEqual({ '3': 4, __other__: 1 });
    expect(a.counts['feature:sky']).toEqual({ sun: 1, __other__: 4 });
    expect(a.counts['feature:x']).toEqual({ '0': 5 });
    expect(a.featureLayout).toBe(registered.layout.hash);
    expect(a.ignored).toEqual([]);
    // Null-prototype maps: nothing inherited can be read as a count.
    expect(Object.getPrototypeOf(a.counts)).toBeNull();
  });

  it('ignores features without a registered baseline (and says which), refuses a layout that is not the baseline\'s', () => {
    expect(checkReport(report(2), 'app', undefined, OFF, NOW).ignored.map((i) => i.feature)).toEqual(['x', 'sky']);
    expect(() => checkReport(report(2, { features: { x: { kind: 'numeric', ...bins(5, 2) } } }), 'app', registered, OFF, NOW)).toThrow(/features\."x"\.counts: 5 bins; the registered baseline has 4/);
    expect(() => checkReport(report(2, { features: { x: { kind: 'categorical', counts: {}, missing: 2 } } }), 'app', registered, OFF, NOW)).toThrow(/categorical here, numeric/);
  });

  it('bounds every count by runs (per run or per batch item) and runs by the per-report limit', () => {
    const over = report(2);
    over.backends = { wasm: 3 };
    expect(() => checkReport(over, 'app', registered, OFF, NOW)).toThrow(/backends: 3 counted, more than counters.runs \(2\)/);
    expect(() => checkReport(report(2, { topClasses: { '1': 2 * 64 + 1 } }), 'app', registered, OFF, NOW)).toThrow(/topClasses: 129 counted/);
    expect(() => checkReport(report(2, { counters: { runs: 2, errors: 2_000_000, rejected: 0, fallbacks: 0 } }), 'app', registered, OFF, NOW)).toThrow(/counters.errors: 2000000 exceeds 1000000/);
    expect(() => checkReport(report(2, { topClasses: { one: 1 } }), 'app', registered, OFF, NOW)).toThrow(/class keys are class indices/);
  });

  it('refuses windows in the future beyond the clock skew, and older than the retention', () => {
    expect(() => checkReport(report(1, { window: { start: 0, end: NOW + 2 * 86_400_000 } }), 'app', registered, OFF, NOW)).toThrow(/in the future/);
    expect(() => checkReport(report(1, { window: { start: 0, end: NOW - 91 * 86_400_000 } }), 'app', registered, OFF, NOW)).toThrow(/older than the retention/);
  });
});

describe('checkReport: windows and labels', () => {
  it('puts a grid window [start, end) in its own cell, not the one that begins at its end', () => {
    const hour = Date.parse('2026-06-01T11:00:00Z');
    const a = checkReport(report(2, { window: { start: hour, end: hour + 3_600_000 } }), 'app', registered, OFF, NOW);
    expect(a.windowStart).toBe(hour);
  });

  it('stores label counts as series, and refuses more right answers than labelled ones in a bin', () => {
    const labeled = bins(CONFIDENCE_EDGES.length + 1, 0);
    labeled.counts[19] = 3;
    const correct = bins(CONFIDENCE_EDGES.length + 1, 0);
    correct.counts[19] = 2;
    const a = checkReport(report(3, { labels: { confusion: { '1:1': 2, '2:1': 1 }, labeled, correct } }), 'app', registered, OFF, NOW);
    expect(a.counts.confusion).toEqual({ '1:1': 2, '2:1': 1 });
    expect(a.counts.labeled).toEqual({ '19': 3 });
    expect(a.counts.correct).toEqual({ '19': 2 });
    const tooRight = { ...correct, counts: correct.counts.map((c, i) => (i === 19 ? 4 : c)) };
    expect(() => checkReport(report(3, { labels: { confusion: {}, labeled, correct: tooRight } }), 'app', registered, OFF, NOW)).toThrow(/labels\.correct/);
  });
});
