import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTOR_PRIVACY } from './config.js';
import { projectNonNegative, releaseThreshold, releaseWindow } from './window-release.js';

describe('window release', () => {
  const exact = { counters: { runs: 400, errors: 0, rejected: 0, fallbacks: 0 }, counts: new Map([['latency', new Map([['3', 400]])], ['classes', new Map([['9000', 5]])]]), devices: 200 };
  const window = { start: 0, windowMs: 3_600_000 };

  it('noises every key of a fixed domain, zero or not, with one scale from the bound and the groups', () => {
    const r = releaseWindow(window, exact, undefined, DEFAULT_COLLECTOR_PRIVACY, 5);
    if (r.withheld) throw new Error('withheld');
    expect(Object.keys(r.series.latency!)).toHaveLength(17);
    expect(Object.keys(r.series.classes!)).toHaveLength(65); // 0…63 and __other__, whatever was counted
    expect(r.series.classes!['9000']).toBeUndefined();
    // 5 groups without a baseline (counters, latency, confidence, backends, classes), weight 1 each: 20 × 5 / 0.8
    expect(r.noise).toMatchObject({ groups: 5, sensitivity: 100, otherScale: 125, epsilon: 1, epsilonCounts: 0.8, epsilonDevices: 0.2 });
  });

  it('withholds on the noisy device count, and says why', () => {
    const r = releaseWindow(window, { ...exact, devices: 0 }, undefined, DEFAULT_COLLECTOR_PRIVACY, 5, () => 0.5);
    expect(r).toMatchObject({ withheld: true, reason: expect.stringMatching(/fewer than 68 devices \(a noisy count; k = 5, δ = 0.000001\)/) });
    expect(releaseThreshold(DEFAULT_COLLECTOR_PRIVACY, 5)).toBe(68);
    expect(releaseThreshold({ ...DEFAULT_COLLECTOR_PRIVACY, epsilon: 5 }, 5)).toBe(15);
    expect(releaseThreshold({ ...DEFAULT_COLLECTOR_PRIVACY, epsilon: 100 }, 5)).toBe(5);
  });

  it('projects noisy counts onto non-negative ones with the same total', () => {
    expect(projectNonNegative([10, -2, 4])).toEqual([9, 0, 3]);
    expect(projectNonNegative([5, 5])).toEqual([5, 5]);
    expect(projectNonNegative([-1, -2])).toEqual([0, 0]);
    const p = projectNonNegative([100, -30, 3, 40]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(113, 9);
    expect(p.every((x) => x >= 0)).toBe(true);
  });
});
