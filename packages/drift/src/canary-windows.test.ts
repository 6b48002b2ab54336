import type { CanaryVerdict } from '@edgewise/core';
import { describe, expect, it } from 'vitest';
import { WindowedMonitor } from './windowed-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const verdict = (outcome: CanaryVerdict['outcome'], reason?: CanaryVerdict['reason']): CanaryVerdict => ({
  outcome,
  ...(reason ? { reason } : {}),
  version: '1.1.0',
  previous: '1.0.0',
  runs: 50,
  crashes: 0,
  canaryErrors: 1,
  referenceRuns: 48,
  referenceErrors: 0,
  compared: 48,
  items: 48,
  agreed: outcome === 'passed' ? 48 : 5,
  canaryMs: 0.4,
  referenceMs: 0.3,
});

describe('canary verdicts in the windowed monitor (fake clock)', () => {
  it('counted in the window they were reached in, taken once, and carried through a snapshot', () => {
    const clock = { now: T0 + 60_000 };
    const monitor = new WindowedMonitor({}, () => clock.now);
    expect(monitor.aggregates().body.canary).toBeUndefined();
    monitor.recordCanary(verdict('rolled-back', 'agreement'));
    const [part] = monitor.takeWindows(true);
    expect(part!.body.canary).toEqual({
      outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0, rolledBackCrashes: 0 },
      evidence: { runs: 50, canaryErrors: 1, referenceRuns: 48, referenceErrors: 0, compared: 48, items: 48, agreed: 5 },
    });
    // A verdict alone makes a window worth reporting; once taken it is not sent again.
    expect(monitor.takeWindows(true)).toEqual([]);

    monitor.recordCanary(verdict('passed'));
    clock.now = T0 + HOUR + 1;
    monitor.recordCanary(verdict('rolled-back', 'latency'));
    const [closed] = monitor.takeWindows(false);
    expect(closed!.window).toEqual({ start: T0, end: T0 + HOUR });
    expect(closed!.body.canary!.outcomes).toEqual({ passed: 1, rolledBackErrorRate: 0, rolledBackAgreement: 0, rolledBackLatency: 0, rolledBackCrashes: 0 });

    const fresh = new WindowedMonitor({}, () => clock.now);
    fresh.restore(monitor.snapshot());
    expect(fresh.aggregates().body.canary!.outcomes).toEqual({ passed: 1, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 1, rolledBackCrashes: 0 });
    const [open] = fresh.takeWindows(true);
    expect(open!.body.canary!.outcomes).toMatchObject({ rolledBackLatency: 1, passed: 0 });
    fresh.recordCanary(verdict('rolled-back', 'crashes'));
    expect(fresh.aggregates().body.canary!.outcomes).toMatchObject({ rolledBackCrashes: 1, rolledBackLatency: 1 });
  });
});
