import { buildBaseline } from '@edgewise/drift';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, SHADOW_DIFF_EDGES, type Report } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEFAULT_COLLECTOR_PRIVACY } from './config.js';
import { ReportInvalidError, ReportRefusedError } from './errors.js';
import { layoutOf } from './layout.js';
import { bins, fixtureReport, NOW } from './report.fixture.js';
import { checkReport, type CheckLimits } from './report-check.js';

/**
 * Every limit checkReport enforces, at its boundary and with the message a device's developer
 * reads (the 422 body): the bound's value, the field, and which setting sets it.
 */
const HOUR = 3_600_000;
const OFF = { ...DEFAULTS, privacy: false as const, maxRunsPerReport: 100, maxItemsPerRun: 4, maxClasses: 10 };
const baseline = buildBaseline({ x: Array.from({ length: 100 }, (_, i) => i), sky: Array.from({ length: 100 }, (_, i) => (i % 2 ? 'sun' : 'rain')) }, { bins: 4 });
const registered = { baseline, layout: layoutOf(baseline, 1024) };
const check = (report: Report, limits: CheckLimits = OFF) => checkReport(report, 'app', registered, limits, NOW);
const refusal = (report: Report, limits: CheckLimits = OFF) => {
  try {
    check(report, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportRefusedError);
    return (error as Error).message;
  }
  return 'accepted';
};
const PER_ITEM = 'counters.runs × 4 items per run (COLLECTOR_MAX_ITEMS_PER_RUN)';

describe('checkReport limits, at each boundary', () => {
  it('counters: each at most maxRunsPerReport', () => {
    expect(refusal(fixtureReport(100))).toBe('accepted');
    expect(refusal(fixtureReport(2, { counters: { runs: 2, errors: 0, rejected: 101, fallbacks: 0 } }))).toBe('counters.rejected: 101 exceeds 100 per report (COLLECTOR_MAX_RUNS_PER_REPORT)');
  });

  it('latency: bins + missing + nan at most runs; below and above range each at most runs', () => {
    const latency = (patch: object) => fixtureReport(2, { latencyMs: { ...bins(LATENCY_EDGES_MS.length + 1, 1), ...patch } });
    expect(refusal(latency({ missing: 1 }))).toBe('accepted');
    expect(refusal(latency({ missing: 1, nan: 1 }))).toBe('latencyMs: 3 counted, more than counters.runs (2)');
    expect(refusal(latency({ missing: 2 }))).toBe('latencyMs: 3 counted, more than counters.runs (2)');
    expect(refusal(latency({ belowRange: 3 }))).toBe('latencyMs.belowRange: 3 counted, more than counters.runs (2)');
    expect(refusal(latency({ aboveRange: 3 }))).toBe('latencyMs.aboveRange: 3 counted, more than counters.runs (2)');
  });

  it('confidence, classes and numeric features: at most runs × maxItemsPerRun', () => {
    expect(refusal(fixtureReport(2, { confidence: bins(CONFIDENCE_EDGES.length + 1, 8) }))).toBe('accepted');
    expect(refusal(fixtureReport(2, { confidence: bins(CONFIDENCE_EDGES.length + 1, 9) }))).toBe(`confidence: 9 counted, more than ${PER_ITEM} (8)`);
    expect(refusal(fixtureReport(2, { topClasses: { '1': 9 } }))).toBe(`topClasses: 9 counted, more than ${PER_ITEM} (8)`);
    expect(refusal(fixtureReport(2, { features: { x: { kind: 'numeric', ...bins(4, 8) } } }))).toBe('accepted');
    expect(refusal(fixtureReport(2, { features: { x: { kind: 'numeric', ...bins(4, 8), nan: 1 } } }))).toBe(`features."x": 9 counted, more than ${PER_ITEM} (8)`);
  });

  it('categorical features: categories + missing at most runs × maxItemsPerRun; missing kept apart', () => {
    const sky = (counts: Record<string, number>, missing: number) => fixtureReport(2, { features: { sky: { kind: 'categorical', counts, missing } } });
    expect(check(sky({ sun: 5 }, 3)).counts['feature-extra:sky']).toEqual({ missing: 3 });
    expect(refusal(sky({ sun: 5 }, 4))).toBe(`features."sky": 9 counted, more than ${PER_ITEM} (8)`);
    expect(refusal(fixtureReport(2, { features: { sky: { kind: 'numeric', ...bins(4, 1) } } }))).toBe('features."sky": numeric here, categorical in the registered baseline');
    expect(refusal(fixtureReport(2, { features: { x: { kind: 'categorical', counts: {}, missing: 1 } } }))).toBe('features."x": categorical here, numeric in the registered baseline');
  });

  it('class indices: "__other__" and indices below maxClasses kept, the rest folded; other keys are a 400', () => {
    expect(check(fixtureReport(2, { topClasses: { '9': 1, '10': 2, __other__: 3 } })).counts.classes).toEqual({ '9': 1, __other__: 5 });
    expect(() => check(fixtureReport(2, { topClasses: { '01': 1 } }))).toThrow(new ReportInvalidError('topClasses."01": class keys are class indices (0, 1, 2, …)'));
  });

  it('windows: a report counts in the cell of its last instant; at most maxClockSkewMs ahead and within the retention, boundaries included', () => {
    const cell = Math.floor(NOW / HOUR) * HOUR;
    expect(check(fixtureReport(1, { window: { start: cell - 10 * 60_000, end: cell + 30_000 } })).windowStart).toBe(cell);
    expect(check(fixtureReport(1, { window: { start: cell - 10 * 60_000, end: cell } })).windowStart).toBe(cell - HOUR);
    const skew = OFF.maxClockSkewMs;
    expect(refusal(fixtureReport(1, { window: { start: NOW, end: NOW + skew } }))).toBe('accepted');
    expect(refusal(fixtureReport(1, { window: { start: NOW, end: NOW + skew + 1 } }))).toBe(`window.end: ${new Date(NOW + skew + 1).toISOString()} is more than ${skew} ms in the future`);
    const oldest = NOW - OFF.retentionMs; // a cell starting exactly here is still kept
    const kept = Math.ceil(oldest / HOUR) * HOUR;
    expect(refusal(fixtureReport(1, { window: { start: kept, end: kept + 1 } }), { ...OFF, retentionMs: NOW - kept })).toBe('accepted');
    expect(refusal(fixtureReport(1, { window: { start: kept - 2, end: kept - 1 } }), { ...OFF, retentionMs: NOW - kept })).toMatch(/falls in a window older than the retention \(\d+ ms\); it would be deleted$/);
  });

  it('labels: bounded per report by maxRunsPerReport × maxItemsPerRun; right answers at most those labelled, per bin', () => {
    const empty = () => bins(CONFIDENCE_EDGES.length + 1, 0);
    const labels = (confusion: Record<string, number>, labeledTotal: number, correctTotal: number) => ({ confusion, labeled: bins(CONFIDENCE_EDGES.length + 1, labeledTotal), correct: bins(CONFIDENCE_EDGES.length + 1, correctTotal) });
    const what = 'COLLECTOR_MAX_RUNS_PER_REPORT × COLLECTOR_MAX_ITEMS_PER_RUN (400)';
    // Labels may come for earlier windows' runs: far more than this report's runs is fine.
    expect(refusal(fixtureReport(1, { labels: labels({ '1:1': 400 }, 400, 400) }))).toBe('accepted');
    expect(refusal(fixtureReport(1, { labels: labels({ '1:1': 401 }, 0, 0) }))).toBe(`labels.confusion: 401 counted, more than ${what}`);
    expect(refusal(fixtureReport(1, { labels: labels({}, 401, 0) }))).toBe(`labels.labeled: 401 counted, more than ${what}`);
    expect(refusal(fixtureReport(1, { labels: { confusion: {}, labeled: { ...empty(), belowRange: 401 }, correct: empty() } }))).toBe(`labels.labeled.belowRange: 401 counted, more than ${what}`);
    expect(refusal(fixtureReport(1, { labels: labels({}, 5, 6) }))).toBe('labels.correct.counts.0: 6 counted, more than labels.labeled.counts.0 (5)');
    expect(refusal(fixtureReport(1, { labels: { confusion: {}, labeled: empty(), correct: { ...empty(), nan: 401 } } }))).toBe(`labels.correct: 401 counted, more than ${what}`);
    const stored = check(fixtureReport(1, { labels: { confusion: { '1:2': 1, '9:9': 2, '10:1': 3, '1:10': 4 }, labeled: { ...empty(), nan: 2 }, correct: { ...empty(), missing: 1 } } })).counts;
    expect(stored.confusion).toEqual({ '1:2': 1, '9:9': 2, __other__: 7 });
    expect(stored['labeled-extra']).toEqual({ nan: 2 });
    expect(stored['correct-extra']).toEqual({ missing: 1 });
  });

  it('shadow: runs + errors + dropped at most maxRunsPerReport; items at most runs × maxItemsPerRun; bins at most runs', () => {
    const shadow = (c: Partial<{ runs: number; items: number; agreed: number; errors: number; dropped: number }>, binsOver: Partial<Record<'absDiff' | 'activeLatencyMs' | 'candidateLatencyMs', number>> = {}) =>
      fixtureReport(1, {
        shadow: {
          counters: { runs: 10, items: 10, agreed: 10, errors: 0, dropped: 0, ...c },
          absDiff: bins(SHADOW_DIFF_EDGES.length + 1, binsOver.absDiff ?? 10),
          activeLatencyMs: bins(LATENCY_EDGES_MS.length + 1, binsOver.activeLatencyMs ?? 10),
          candidateLatencyMs: bins(LATENCY_EDGES_MS.length + 1, binsOver.candidateLatencyMs ?? 10),
        },
      });
    expect(refusal(shadow({ runs: 98, errors: 1, dropped: 1, items: 10 }, { absDiff: 0, activeLatencyMs: 0, candidateLatencyMs: 0 }))).toBe('accepted');
    expect(refusal(shadow({ runs: 98, errors: 1, dropped: 2, items: 10 }, { absDiff: 0, activeLatencyMs: 0, candidateLatencyMs: 0 }))).toBe('shadow.counters.runs + errors + dropped: 101 counted, more than COLLECTOR_MAX_RUNS_PER_REPORT (100)');
    expect(refusal(shadow({ runs: 98, errors: 3, items: 10 }, { absDiff: 0, activeLatencyMs: 0, candidateLatencyMs: 0 }))).toBe('shadow.counters.runs + errors + dropped: 101 counted, more than COLLECTOR_MAX_RUNS_PER_REPORT (100)');
    expect(refusal(shadow({ items: 41, agreed: 0 }))).toBe('shadow.counters.items: 41 counted, more than shadow.counters.runs × 4 items per run (40)');
    expect(refusal(shadow({}, { absDiff: 11 }))).toBe('shadow.absDiff: 11 counted, more than shadow.counters.runs (10)');
    expect(refusal(shadow({}, { activeLatencyMs: 11 }))).toBe('shadow.activeLatencyMs: 11 counted, more than shadow.counters.runs (10)');
    expect(refusal(shadow({}, { candidateLatencyMs: 11 }))).toBe('shadow.candidateLatencyMs: 11 counted, more than shadow.counters.runs (10)');
    const counts = check(shadow({})).counts;
    expect(counts.shadow).toEqual({ runs: 10, items: 10, agreed: 10 });
    expect(counts['shadow-diff']).toEqual({ '0': 10 });
    expect(counts['shadow-active-latency']).toEqual({ '0': 10 });
    expect(counts['shadow-candidate-latency']).toEqual({ '0': 10 });
  });

  it('canary: outcomes and evidence runs at most maxRunsPerReport; each piece of evidence at most what it is part of', () => {
    const canary = (outcomes: Partial<Record<string, number>>, evidence: Partial<Record<string, number>>) =>
      fixtureReport(1, {
        canary: {
          outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0, ...outcomes },
          evidence: { runs: 50, canaryErrors: 0, referenceRuns: 40, referenceErrors: 0, compared: 40, items: 40, agreed: 5, ...evidence },
        },
      } as never);
    const RUNS = 'COLLECTOR_MAX_RUNS_PER_REPORT (100)';
    expect(refusal(canary({ passed: 99 }, { runs: 100 }))).toBe('accepted');
    expect(refusal(canary({ passed: 100 }, {}))).toBe(`canary.outcomes: 101 counted, more than ${RUNS}`);
    expect(refusal(canary({}, { runs: 101 }))).toBe(`canary.evidence.runs: 101 counted, more than ${RUNS}`);
    expect(refusal(canary({}, { canaryErrors: 51 }))).toBe('canary.evidence.canaryErrors: 51 counted, more than canary.evidence.runs (50)');
    expect(refusal(canary({}, { referenceErrors: 41 }))).toBe('canary.evidence.referenceErrors: 41 counted, more than canary.evidence.referenceRuns (40)');
    expect(refusal(canary({}, { compared: 41 }))).toBe('canary.evidence.compared: 41 counted, more than canary.evidence.referenceRuns (40)');
    expect(refusal(canary({}, { items: 161 }))).toBe('canary.evidence.items: 161 counted, more than canary.evidence.compared × 4 items per run (160)');
    expect(refusal(canary({}, { agreed: 41 }))).toBe('canary.evidence.agreed: 41 counted, more than canary.evidence.items (40)');
    const counts = check(canary({}, {})).counts;
    expect(counts.canary).toEqual({ rolledBackAgreement: 1 });
    expect(counts['canary-evidence']).toEqual({ runs: 50, referenceRuns: 40, compared: 40, items: 40, agreed: 5 });
  });

  it('features: ignored, saying why, without a registered baseline or when the baseline has no such feature', () => {
    const report = fixtureReport(2, { features: { x: { kind: 'numeric', ...bins(4, 2) }, wind: { kind: 'numeric', ...bins(3, 2) } } });
    expect(check(report).ignored).toEqual([{ feature: 'wind', reason: 'not a feature of the registered baseline' }]);
    expect(check(report).counts['feature:wind']).toBeUndefined();
    expect(checkReport(report, 'app', undefined, OFF, NOW).ignored).toEqual([
      { feature: 'x', reason: 'no baseline is registered for m 1' },
      { feature: 'wind', reason: 'no baseline is registered for m 1' },
    ]);
    expect(checkReport(report, 'app', undefined, OFF, NOW).featureLayout).toBe('');
  });

  it('carries the window token, and the app, model and version, onto what is stored', () => {
    const token = 'ab'.repeat(16);
    const a = check(fixtureReport(1, { token }));
    expect(a).toMatchObject({ app: 'app', model: 'm', version: '1', token, runs: 1, windowMs: OFF.windowMs });
    expect(check(fixtureReport(1))).not.toHaveProperty('token');
  });
});

describe('checkReport with privacy on', () => {
  const ON = { ...OFF, privacy: { ...DEFAULT_COLLECTOR_PRIVACY, minRunsPerReport: 1 } };
  it('applies the privacy rules (a token, one grid cell), counts the report in its own cell, and bounds groups absolutely instead', () => {
    const cell = Math.floor(NOW / HOUR) * HOUR; // the open cell: closed ones are released and final
    const token = 'cd'.repeat(16);
    expect(() => check(fixtureReport(1, { window: { start: cell, end: cell + HOUR } }), ON)).toThrow(/^token: required/);
    expect(() => check(fixtureReport(1, { token, window: { start: cell, end: cell + HOUR - 1 } }), ON)).toThrow(/is not one cell of the 3600000 ms window grid/);
    const a = check(fixtureReport(1, { token, window: { start: cell, end: cell + HOUR }, backends: { wasm: 3 } }), ON);
    // Per-run ratios are not checked with privacy on (the groups are bounded by contributionBound).
    expect(a).toMatchObject({ windowStart: cell, token });
    expect(a.counts.backends).toEqual({ wasm: 3 });
  });
});
