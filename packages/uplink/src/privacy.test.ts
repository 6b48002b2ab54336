import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from './privacy-budget.js';
import { createUplink, type UplinkEvent } from './uplink.js';
import { boundContribution, protectCounts, type ReportBody } from './privacy.js';

const body = (counts: number[]): ReportBody => ({
  counters: { runs: counts.reduce((a, b) => a + b, 0), errors: 0, rejected: 0, fallbacks: 0 },
  backends: { wasm: 1 },
  latencyMs: { counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
  confidence: { counts: [1], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
  topClasses: {},
  features: { sky: { kind: 'categorical', counts: { rain: 3, '2.5': 4, Zürich: 1 }, missing: 0 } },
});

describe('device-side privacy', () => {
  it('bounds a group to exactly the bound, unbiased on average (random rounding)', () => {
    const runs = 4000;
    const sums = [0, 0, 0, 0];
    for (let i = 0; i < runs; i++) {
      const b = body([1, 1, 1, 37]);
      boundContribution(b, 20);
      expect(b.latencyMs.counts.reduce((a, c) => a + c, 0)).toBe(20);
      b.latencyMs.counts.forEach((c, j) => (sums[j]! += c));
    }
    // Exact scaled counts: 0.5, 0.5, 0.5, 18.5; largest-remainder rounding would give 1, 1, 0, 18 every time.
    for (const [j, want] of [0.5, 0.5, 0.5, 18.5].entries()) expect(sums[j]! / runs).toBeCloseTo(want, 1);
  });

  it('keeps agreed ≤ items in the shadow counters whatever the rounding (the collector refuses reports that break it)', () => {
    // One group, L1 120 scaled to 20: items and agreed are both 6.67 and round independently.
    const shadowed = (): ReportBody => ({
      ...body([1]),
      shadow: {
        counters: { runs: 40, items: 40, agreed: 40, errors: 0, dropped: 0 },
        absDiff: { counts: [40], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
        activeLatencyMs: { counts: [40], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
        candidateLatencyMs: { counts: [40], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
      },
    } as ReportBody);
    for (let i = 0; i < 300; i++) {
      const c = protectCounts(shadowed(), { contributionBound: 20 }).shadow!.counters;
      expect(c.agreed).toBeLessThanOrEqual(c.items);
      expect(c.runs + c.items + c.agreed + c.errors + c.dropped).toBeLessThanOrEqual(20);
    }
  });

  it('never rounds runs to 0 when errors dominate the counters group (the collector refuses reports without runs)', () => {
    const failing = (): ReportBody => ({ ...body([20]), counters: { runs: 20, errors: 1000, rejected: 0, fallbacks: 0 } });
    for (let i = 0; i < 300; i++) {
      const c = protectCounts(failing(), { contributionBound: 20 }).counters;
      expect(c.runs).toBeGreaterThanOrEqual(1);
      expect(c.runs + c.errors + c.rejected + c.fallbacks).toBe(20);
    }
  });

  it('folds floats and unknown categories into __other__', () => {
    const out = protectCounts(body([1]), { baseline: { format: 'edgewise-baseline', version: 1, createdAt: '', rows: 1, features: { sky: { kind: 'categorical', n: 1, missing: 0, counts: { rain: 1 } } } } });
    expect(out.features.sky).toEqual({ kind: 'categorical', counts: { rain: 3, __other__: 5 }, missing: 0 });
  });

  it('the ledger keeps what was spent per window and day in the given storage', async () => {
    const store = new Map<string, string>();
    const storage = { getItem: async (k: string) => store.get(k) ?? null, setItem: async (k: string, v: string) => void store.set(k, v), removeItem: async (k: string) => void store.delete(k), getAllKeys: async () => [...store.keys()] };
    const t = Date.UTC(2026, 11, 2, 5);
    await new PrivacyLedger(storage).spend(t, 1);
    const again = new PrivacyLedger(storage); // a restart
    expect(await again.windowReported(t)).toBe(true);
    expect(await again.spentOn(t + 3_600_000)).toBe(1);
    expect(await again.spentOn(t + 86_400_000)).toBe(0);
  });

  it('stops reporting once the daily ε budget is spent, and starts again the next UTC day', async () => {
    let now = Date.UTC(2026, 11, 2, 0, 30);
    const events: UplinkEvent[] = [];
    const runs = body([10, 10]);
    const uplink = createUplink({ endpoint: 'http://collector.invalid/v1/reports', ingestKey: 'k', source: { aggregates: async () => ({ body: structuredClone(runs) }) }, model: 'm', modelVersion: '1', now: () => now, onEvent: (e) => events.push(e) });
    const sent: number[] = [];
    for (let hour = 0; hour < 12; hour++, now += 3_600_000) if (await uplink.collect()) sent.push(hour);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // 8 windows at ε = 1: the default daily budget
    expect(events.at(-1)).toEqual({ type: 'held', reason: 'budget-spent', runs: 20 * 4, modelVersion: '1' });
    now = Date.UTC(2026, 11, 3, 0, 30);
    expect(await uplink.collect()).toMatchObject({ counters: { runs: 20 } }); // the held runs, bounded
  });
});
