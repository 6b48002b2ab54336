import { LATENCY_EDGES_MS, SHADOW_DIFF_EDGES, type Report, type ShadowCounts } from '@edgewise/wire';
import { reportSchema } from '@edgewise/wire/schema';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEFAULT_COLLECTOR_PRIVACY } from './config.js';
import { releaseDomain } from './release-domain.js';
import { bins, fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';
import { SERIES } from './series.js';
import { releaseWindow } from './window-release.js';

const OFF = { ...DEFAULTS, privacy: false as const };
const shadow = (runs: number, agreed = runs): ShadowCounts => ({
  counters: { runs, items: runs, agreed, errors: 1, dropped: 2 },
  absDiff: bins(SHADOW_DIFF_EDGES.length + 1, runs),
  activeLatencyMs: bins(LATENCY_EDGES_MS.length + 1, runs),
  candidateLatencyMs: bins(LATENCY_EDGES_MS.length + 1, runs),
});
const report = (runs: number, s: ShadowCounts): Report => fixtureReport(runs, { shadow: s });

describe('shadow counts at the collector', () => {
  it('stores the shadow section as series', () => {
    const a = checkReport(report(10, shadow(8, 7)), 'app', undefined, OFF, NOW);
    expect(a.counts[SERIES.shadow]).toEqual({ runs: 8, items: 8, agreed: 7, errors: 1, dropped: 2 });
    expect(a.counts[SERIES.shadowDiff]).toEqual({ '0': 8 });
    expect(a.counts[SERIES.shadowCandidateLatency]).toEqual({ '0': 8 });
  });

  it('refuses more agreed items than compared (schema) and more difference counts than compared runs', () => {
    expect(reportSchema.safeParse(report(10, shadow(8, 9))).success).toBe(false);
    expect(reportSchema.safeParse(report(10, shadow(8))).success).toBe(true);
    const s = shadow(8);
    s.absDiff.counts[1] = 5;
    expect(() => checkReport(report(10, s), 'app', undefined, OFF, NOW)).toThrow(/shadow\.absDiff: 13 counted, more than shadow\.counters\.runs \(8\)/);
  });

  it('with privacy on and releaseShadow, every shadow key is in the fixed release domain and released noised, counted or not', () => {
    expect(releaseDomain(undefined, 64).has(SERIES.shadow)).toBe(false);
    const domain = releaseDomain(undefined, 64, false, true);
    expect(domain.get(SERIES.shadow)).toEqual(['runs', 'items', 'agreed', 'errors', 'dropped']);
    expect(domain.get(SERIES.shadowDiff)).toHaveLength(SHADOW_DIFF_EDGES.length + 1);
    const exact = { counters: { runs: 400, errors: 0, rejected: 0, fallbacks: 0 }, counts: new Map<string, Map<string, number>>([[SERIES.shadow, new Map([['runs', 100], ['agreed', 99]])]]), devices: 200 };
    // Not configured: shadow counts are not released at all (no keys, no change to the noise scale).
    const off = releaseWindow({ start: 0, windowMs: 3_600_000 }, exact, undefined, DEFAULT_COLLECTOR_PRIVACY, 5);
    if (!off.withheld) expect(off.series[SERIES.shadow]).toBeUndefined();
    const r = releaseWindow({ start: 0, windowMs: 3_600_000 }, exact, undefined, { ...DEFAULT_COLLECTOR_PRIVACY, releaseShadow: true }, 5);
    if (r.withheld) throw new Error('withheld');
    expect(Object.keys(r.series[SERIES.shadow]!).sort()).toEqual(['agreed', 'dropped', 'errors', 'items', 'runs']);
    expect(Object.keys(r.series[SERIES.shadowActiveLatency]!)).toHaveLength(LATENCY_EDGES_MS.length + 1);
    // Noised: not all of the 5 + 8 + 17 + 17 released shadow counts can equal their exact values.
    const released = [SERIES.shadow, SERIES.shadowDiff, SERIES.shadowActiveLatency, SERIES.shadowCandidateLatency].flatMap((name) => Object.entries(r.series[name]!).map(([k, v]) => v - (exact.counts.get(name)?.get(k) ?? 0)));
    expect(released.some((d) => d !== 0)).toBe(true);
  });
});
