import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from './outbox.js';
import type { ReportBody } from './privacy.js';
import { createUplink, type AggregateSource } from './uplink.js';

const bins = (counts: number[]) => ({ counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const body = (counters: Partial<ReportBody['counters']>): ReportBody => ({
  counters: { runs: 0, errors: 0, rejected: 0, fallbacks: 0, ...counters },
  backends: {},
  latencyMs: bins([0]),
  confidence: bins([0]),
  topClasses: {},
  features: {},
});
const windowsSource = (bodies: ReportBody[]): AggregateSource => ({
  aggregates: async () => ({ body: bodies[0]! }),
  takeWindows: async () => bodies.map((b, i) => ({ window: { start: i * 1000, end: (i + 1) * 1000 }, body: b })),
});
const base = { endpoint: 'http://127.0.0.1:1/v1/reports', ingestKey: 'k', model: 'm', modelVersion: '1', source: windowsSource([]) };

describe('createUplink options', () => {
  it('refuses an endpoint that is not http(s), and a missing ingest key, naming them', () => {
    expect(() => createUplink({ ...base, endpoint: 'ftp://x/v1/reports' })).toThrow(new TypeError('Uplink: "endpoint" must be an http(s) URL; received "ftp://x/v1/reports".'));
    expect(() => createUplink({ ...base, ingestKey: '' })).toThrow(new TypeError('Uplink: "ingestKey" is required.'));
  });

  it('refuses privacy rules that are not integers ≥ 1, naming the rule', () => {
    for (const bad of [0, -3, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => createUplink({ ...base, privacy: { contributionBound: bad } })).toThrow(new RangeError(`Uplink: privacy.contributionBound must be an integer ≥ 1; received ${bad}.`));
    }
    expect(() => createUplink({ ...base, privacy: { minRunsPerReport: 0 } })).toThrow(/privacy\.minRunsPerReport/);
    expect(() => createUplink({ ...base, privacy: { minRunsPerReport: 1, maxBins: 1, maxCategories: 1, contributionBound: 1 } })).not.toThrow();
  });
});

describe('privacy off: a report per window that counted anything', () => {
  it('skips windows with no runs, errors or rejections, and keeps one with errors or rejections only', async () => {
    const outbox = new MemoryOutbox();
    const source = windowsSource([body({}), body({ errors: 2 }), body({ rejected: 1 }), body({ runs: 3 }), body({ fallbacks: 4 })]);
    const uplink = createUplink({ ...base, source, outbox, privacy: false, baseline: 'sha256-of-baseline' });
    const reports = await uplink.collectWindows(true);
    expect(reports.map((r) => r.window.start)).toEqual([1000, 2000, 3000]);
    expect((await outbox.list()).map((r) => r.counters)).toEqual([
      { runs: 0, errors: 2, rejected: 0, fallbacks: 0 },
      { runs: 0, errors: 0, rejected: 1, fallbacks: 0 },
      { runs: 3, errors: 0, rejected: 0, fallbacks: 0 },
    ]);
    for (const r of reports) expect(r.baseline).toBe('sha256-of-baseline');
    const without = createUplink({ ...base, source: windowsSource([body({ runs: 1 })]), privacy: false });
    expect((await without.collectWindows(true))[0]).not.toHaveProperty('baseline');
  });
});

describe('privacy on (the default): one report per grid window', () => {
  it('reports on the hour grid by default, with the baseline hash; a collect with no windows queues nothing', async () => {
    const now = Date.UTC(2026, 0, 1, 10, 30);
    const uplink = createUplink({ ...base, source: windowsSource([body({ runs: 25 })]), baseline: 'sha256-of-baseline', now: () => now });
    const [report] = await uplink.collectWindows(true);
    expect(report!.window).toEqual({ start: Date.UTC(2026, 0, 1, 10), end: Date.UTC(2026, 0, 1, 11) });
    expect(report!.baseline).toBe('sha256-of-baseline');
    expect(report!.counters.runs).toBe(20); // bounded to contributionBound
    const empty = createUplink({ ...base, source: windowsSource([]), now: () => now });
    expect(await empty.collectWindows(true)).toEqual([]);
    const unnamed = createUplink({ ...base, source: windowsSource([body({ runs: 25 })]), now: () => now });
    expect((await unnamed.collectWindows(true))[0]).not.toHaveProperty('baseline');
  });
});
