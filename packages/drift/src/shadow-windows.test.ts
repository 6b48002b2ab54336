import { describe, expect, it } from 'vitest';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const compared = (agreed: number, meanAbsDiff = 0.002) => ({ kind: 'compared' as const, items: 1, agreed, meanAbsDiff, activeMs: 2, candidateMs: 3 });

describe('shadow counts in the windowed monitor (fake clock)', () => {
  it('counts per window, closes with the window, and survives a snapshot into a fresh monitor (a relocated worker)', () => {
    const clock = { now: T0 + 60_000 };
    const monitor = new WindowedMonitor({}, () => clock.now);
    for (let i = 0; i < 10; i++) monitor.recordShadow(compared(i < 9 ? 1 : 0));
    monitor.recordShadow({ kind: 'error' });
    monitor.recordShadow({ kind: 'dropped' });
    expect(monitor.report().shadow).toMatchObject({ runs: 10, items: 10, agreed: 9, agreement: 0.9, errors: 1, dropped: 1, activeMs: 2, candidateMs: 3, latencyRatio: 1.5 });
    expect(monitor.report().shadow!.meanAbsDiff).toBeCloseTo(0.002, 12);

    clock.now = T0 + HOUR + 1;
    monitor.recordShadow(compared(1));
    const report = monitor.report().shadow!;
    expect(report).toMatchObject({ runs: 11, window: { runs: 1, agreed: 1 } });
    const [closed] = monitor.takeWindows(false);
    expect(closed!.window).toEqual({ start: T0, end: T0 + HOUR });
    expect(closed!.body.shadow!.counters).toEqual({ runs: 10, items: 10, agreed: 9, errors: 1, dropped: 1 });
    expect(closed!.body.shadow!.absDiff.counts[SHADOW_BIN_OF_0_002]).toBe(10);

    const fresh = new WindowedMonitor({}, () => clock.now);
    fresh.restore(monitor.snapshot());
    expect(fresh.report().shadow).toEqual(report);
    const [open] = fresh.takeWindows(true);
    expect(open!.body.shadow!.counters).toMatchObject({ runs: 1, agreed: 1 });
  });
});

// 0.002 lies in (1e-3, 1e-2]: bin 4 of SHADOW_DIFF_EDGES [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1].
const SHADOW_BIN_OF_0_002 = 4;
