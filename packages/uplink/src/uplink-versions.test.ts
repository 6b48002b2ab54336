import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from './outbox.js';
import { PrivacyLedger } from './privacy-budget.js';
import type { ReportBody } from './privacy.js';
import { createUplink, type AggregateSource, type UplinkEvent } from './uplink.js';

/**
 * A model whose canary was rolled back mid-window hands the uplink that window in two parts, each
 * naming its version (WindowedMonitor.setVersion). Each report must name the version that made
 * its predictions, whatever modelVersion the uplink was created with.
 */
const bins = (counts: number[]) => ({ counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const body = (runs: number): ReportBody => ({ counters: { runs, errors: 0, rejected: 0, fallbacks: 0 }, backends: { wasm: runs }, latencyMs: bins([runs]), confidence: bins([runs]), topClasses: {}, features: {} });
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
type Part = { window: { start: number; end: number }; body: ReportBody; version?: string };
const source = (batches: Part[][]): AggregateSource => ({
  aggregates: async () => ({ body: body(0) }),
  takeWindows: async () => batches.shift() ?? [],
});
const base = { endpoint: 'http://127.0.0.1:1/v1/reports', ingestKey: 'k', model: 'mnist', modelVersion: '1.1.0' };

describe('reports name the version each window ran on', () => {
  it('privacy off: one report per part, under its own version; a part without one under modelVersion', async () => {
    const window = { start: T0, end: T0 + 20 * 60_000 };
    const uplink = createUplink({ ...base, privacy: false, source: source([[{ window, body: body(30), version: '1.1.0' }, { window, body: body(12), version: '1.0.0' }, { window, body: body(2) }]]) });
    const reports = await uplink.collectWindows(true);
    expect(reports.map((r) => [r.modelVersion, r.counters.runs])).toEqual([
      ['1.1.0', 30],
      ['1.0.0', 12],
      ['1.1.0', 2],
    ]);
  });

  it('privacy on: each version carries its own runs and gets its own report per grid window; the day\'s ε is shared', async () => {
    const events: UplinkEvent[] = [];
    const ledger = new PrivacyLedger();
    let now = T0 + 30 * 60_000;
    const window = { start: T0, end: now };
    const uplink = createUplink({
      ...base,
      source: source([
        [{ window, body: body(25), version: '1.1.0' }, { window, body: body(8), version: '1.0.0' }],
        [{ window, body: body(15), version: '1.0.0' }],
        [{ window: { start: T0 + HOUR, end: T0 + HOUR + 1 }, body: body(30), version: '1.0.0' }],
      ]),
      privacy: { ledger, minRunsPerReport: 20 },
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    // The canary's 25 runs are reported; the previous version's 8 are too few and wait, apart.
    expect((await uplink.collectWindows(true)).map((r) => [r.modelVersion, r.window.start])).toEqual([['1.1.0', T0]]);
    expect(events).toEqual([{ type: 'held', reason: 'min-runs', runs: 8, modelVersion: '1.0.0' }]);
    // 8 + 15: the previous version now reports in the same hour, since that hour had no report of its own.
    const [second] = await uplink.collectWindows(true);
    expect(second).toMatchObject({ modelVersion: '1.0.0', window: { start: T0 } });
    expect(second!.counters.runs).toBeGreaterThanOrEqual(20); // bounded and noised, from 23
    expect(await ledger.windowReported(T0)).toBe(true);
    expect(await ledger.windowReported(T0, '1.0.0')).toBe(true);
    expect(await ledger.spentOn(T0)).toBe(2);
    now += HOUR;
    expect((await uplink.collectWindows(true)).map((r) => r.modelVersion)).toEqual(['1.0.0']);
    expect(await ledger.spentOn(T0)).toBe(3);
  });

  it('privacy on: a second part of the same version in a reported hour is held, not sent twice', async () => {
    const events: UplinkEvent[] = [];
    const now = T0 + 30 * 60_000;
    const window = { start: T0, end: now };
    const uplink = createUplink({
      ...base,
      source: source([[{ window, body: body(25), version: '1.0.0' }], [{ window, body: body(25), version: '1.0.0' }]]),
      privacy: { ledger: new PrivacyLedger(), minRunsPerReport: 20 },
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    expect(await uplink.collectWindows(true)).toHaveLength(1);
    expect(await uplink.collectWindows(true)).toEqual([]);
    expect(events).toEqual([{ type: 'held', reason: 'window-reported', runs: 25, modelVersion: '1.0.0' }]);
  });
});

describe('PrivacyLedger windows per version', () => {
  it('keeps the uplink\'s own version under the plain key (ledgers written before versions were apart), others under start:version, and prunes both', async () => {
    const ledger = new PrivacyLedger();
    await ledger.spend(T0, 1);
    await ledger.spend(T0, 1, '1.0.0');
    expect((await ledger.snapshot()).windows).toEqual({ [String(T0)]: 1, [`${T0}:1.0.0`]: 1 });
    expect(await ledger.windowReported(T0, '1.2.0')).toBe(false);
    await ledger.spend(T0 + 3 * 86_400_000, 1);
    expect(Object.keys((await ledger.snapshot()).windows)).toEqual([String(T0 + 3 * 86_400_000)]);
  });
});
