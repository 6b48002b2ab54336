import type { CanaryCounts, Report } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { canaryOther } from './canary.js';
import { DEFAULTS, DEFAULT_COLLECTOR_PRIVACY } from './config.js';
import { releaseDomain } from './release-domain.js';
import { fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';
import { SERIES } from './series.js';
import { releaseWindow } from './window-release.js';

const OFF = { ...DEFAULTS, privacy: false as const };
const canary = (over: Partial<CanaryCounts['evidence']> = {}): CanaryCounts => ({
  outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0 },
  evidence: { runs: 50, canaryErrors: 0, referenceRuns: 50, referenceErrors: 0, compared: 50, items: 50, agreed: 6, ...over },
});
const report = (runs: number, c: CanaryCounts): Report => fixtureReport(runs, { modelVersion: '1.1.0', canary: c });

describe('canary counts at the collector', () => {
  it('stores verdicts and evidence as two series; the fleet chart gets passed / rolled back', () => {
    const a = checkReport(report(60, canary()), 'app', undefined, OFF, NOW);
    expect(a.counts[SERIES.canary]).toEqual({ rolledBackAgreement: 1 });
    expect(a.counts[SERIES.canaryEvidence]).toEqual({ runs: 50, referenceRuns: 50, compared: 50, items: 50, agreed: 6 });
    const counts = new Map(Object.entries(a.counts).map(([s, keys]) => [s, new Map(Object.entries(keys))]));
    expect(canaryOther(counts)).toEqual({ 'canary-passed': 0, 'canary-rolled-back': 1 });
    expect(canaryOther(new Map())).toEqual({});
    // A crash rollback (newer SDKs) is a rolled-back verdict like the others.
    const crashed = checkReport(report(60, { ...canary(), outcomes: { ...canary().outcomes, rolledBackAgreement: 0, rolledBackCrashes: 1 } }), 'app', undefined, OFF, NOW);
    expect(crashed.counts[SERIES.canary]).toEqual({ rolledBackCrashes: 1 });
    const crashedCounts = new Map(Object.entries(crashed.counts).map(([s, keys]) => [s, new Map(Object.entries(keys))]));
    expect(canaryOther(crashedCounts)).toEqual({ 'canary-passed': 0, 'canary-rolled-back': 1 });
  });

  it('refuses evidence that cannot be (privacy off: 422 naming the field)', () => {
    expect(() => checkReport(report(60, canary({ agreed: 51 })), 'app', undefined, OFF, NOW)).toThrow(/canary\.evidence\.agreed: 51 counted, more than canary\.evidence\.items \(50\)/);
    expect(() => checkReport(report(60, canary({ canaryErrors: 51 })), 'app', undefined, OFF, NOW)).toThrow(/canary\.evidence\.canaryErrors/);
    expect(() => checkReport(report(60, canary({ compared: 51 })), 'app', undefined, OFF, NOW)).toThrow(/canary\.evidence\.compared/);
  });

  it('with privacy on, canary series are released only with releaseCanary, over a fixed domain, noised', () => {
    expect(releaseDomain(undefined, 64).has(SERIES.canary)).toBe(false);
    const domain = releaseDomain(undefined, 64, false, false, true);
    expect(domain.get(SERIES.canary)).toEqual(['passed', 'rolledBackErrorRate', 'rolledBackAgreement', 'rolledBackLatency', 'rolledBackCrashes']);
    expect(domain.get(SERIES.canaryEvidence)).toHaveLength(7);
    const exact = { counters: { runs: 400, errors: 0, rejected: 0, fallbacks: 0 }, counts: new Map<string, Map<string, number>>([[SERIES.canary, new Map([['rolledBackAgreement', 100]])]]), devices: 200 };
    const off = releaseWindow({ start: 0, windowMs: 3_600_000 }, exact, undefined, DEFAULT_COLLECTOR_PRIVACY, 5);
    if (off.withheld) throw new Error('withheld');
    // Not configured: not released at all, and the noise scale is that of a report without canary counts.
    expect(off.series[SERIES.canary]).toBeUndefined();
    const without = releaseWindow({ start: 0, windowMs: 3_600_000 }, { ...exact, counts: new Map() }, undefined, DEFAULT_COLLECTOR_PRIVACY, 5);
    expect(off.noise.groups).toBe(without.noise.groups);
    const on = releaseWindow({ start: 0, windowMs: 3_600_000 }, exact, undefined, { ...DEFAULT_COLLECTOR_PRIVACY, releaseCanary: true }, 5);
    if (on.withheld) throw new Error('withheld');
    // Two more count groups share ε: the scale of every other series grows with them.
    expect(on.noise.groups).toBe(off.noise.groups + 2);
    expect(on.noise.otherScale).toBeGreaterThan(off.noise.otherScale);
    expect(Object.keys(on.series[SERIES.canary]!).sort()).toEqual(['passed', 'rolledBackAgreement', 'rolledBackCrashes', 'rolledBackErrorRate', 'rolledBackLatency']);
    expect(Object.keys(on.series[SERIES.canaryEvidence]!)).toHaveLength(7);
  });
});
