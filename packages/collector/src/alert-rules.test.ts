import { describe, expect, it } from 'vitest';
import { evaluateRule, parseAlertRules, type AlertRule } from './alert-rules.js';
import type { FleetSeries, WindowPoint } from './fleet-series.js';

const H = 3_600_000;
const point = (i: number, js: number | undefined, extra: Partial<WindowPoint> = {}): WindowPoint =>
  js === undefined
    ? { start: i * H, end: (i + 1) * H, reports: 1, withheld: 'fewer than k = 3 devices' }
    : { start: i * H, end: (i + 1) * H, reports: 5, runs: 100, errors: 0, fallbacks: 0, drift: [{ feature: 'a', jensenShannon: js, psi: js * 2, drifted: js >= 0.1, count: 100 }], ...extra };
const series = (windows: WindowPoint[]): FleetSeries => ({ model: 'm', version: '1', windowMs: H, k: 3, baseline: true, windows, notYetClosed: 0 });
const drift: AlertRule = { id: 'd', kind: 'drift', threshold: 0.1, windows: 2 };

describe('evaluateRule', () => {
  it('fires after N consecutive released windows over the threshold, identified by the first of them', () => {
    expect(evaluateRule(drift, series([point(0, 0.01), point(1, 0.2)]))).toBeUndefined();
    expect(evaluateRule(drift, series([point(0, 0.01), point(1, 0.2), point(2, 0.3)]))).toEqual({ since: H, window: { start: 2 * H, end: 3 * H }, value: 0.3 });
    // Still the same firing one window later (same `since`: no second notification).
    expect(evaluateRule(drift, series([point(0, 0.01), point(1, 0.2), point(2, 0.3), point(3, 0.25)]))?.since).toBe(H);
    // Withheld windows are skipped, not counted as healthy.
    expect(evaluateRule(drift, series([point(1, 0.2), point(2, undefined), point(3, 0.3)]))?.since).toBe(H);
    expect(evaluateRule(drift, series([point(1, 0.2), point(2, 0.3), point(3, 0.05)]))).toBeUndefined();
    expect(evaluateRule({ ...drift, version: '2' }, series([point(1, 0.2), point(2, 0.3)]))).toBeUndefined();
  });
  it('reads error rates, and accuracy only where it exists', () => {
    expect(evaluateRule({ id: 'e', kind: 'error-rate', threshold: 0.05, windows: 1 }, series([point(0, 0, { errors: 6 })]))?.value).toBeCloseTo(0.06);
    const acc: AlertRule = { id: 'a', kind: 'accuracy-drop', threshold: 0.05, windows: 1 };
    expect(evaluateRule(acc, series([point(0, 0), point(1, 0)]))).toBeUndefined();
    expect(evaluateRule(acc, series([point(0, 0, { other: { accuracy: 0.9 } }), point(1, 0, { other: { accuracy: 0.8 } })]))?.value).toBeCloseTo(0.1);
  });
  it('checks configured rules and names what is wrong', () => {
    expect(parseAlertRules([{ id: 'x', kind: 'drift', threshold: 0.2 }])).toEqual([{ id: 'x', kind: 'drift', threshold: 0.2, windows: 1 }]);
    expect(() => parseAlertRules([{ id: 'x', kind: 'drift-ish', threshold: 1 }])).toThrow(/kind must be one of drift, error-rate/);
    expect(() => parseAlertRules([{ id: 'x', kind: 'drift', threshold: 1, windows: 0 }])).toThrow(/windows must be an integer in \[1, 1000\]/);
    expect(() => parseAlertRules([{ id: 'x', kind: 'drift', threshold: 1 }, { id: 'x', kind: 'drift', threshold: 1 }])).toThrow(/used twice/);
  });
});
