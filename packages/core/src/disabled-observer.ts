import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type BinnedCounts } from '@edgewise/wire';
import type { Aggregates, Counters, ModelObserver, MonitorReport } from './monitoring.js';

const empty = (bins: number): BinnedCounts => ({ counts: new Array<number>(bins).fill(0), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });

/**
 * The observer of a model loaded with `monitor: false` (or by a runtime without monitoring): it
 * watches nothing and reports an empty monitor, so hot loops pay nothing and pull in no sketch code.
 */
export function disabledObserver(): ModelObserver {
  const counters: Counters = { runs: 0, errors: 0, rejected: 0, fallbacks: 0 };
  return {
    rejects: false,
    counters,
    inspect: () => ({ values: new Map() }),
    record: () => {},
    count: () => {},
    drift: () => undefined,
    report: (): MonitorReport => ({
      counters: { ...counters },
      backends: {},
      latencyMs: { count: 0, p50: NaN, p95: NaN, p99: NaN },
      confidence: { count: 0, p10: NaN, p50: NaN },
      topClasses: {},
    }),
    snapshot: () => new Uint8Array(0),
    aggregates: (): Aggregates => ({
      body: { counters: { ...counters }, backends: {}, latencyMs: empty(LATENCY_EDGES_MS.length + 1), confidence: empty(CONFIDENCE_EDGES.length + 1), topClasses: {}, features: {} },
      skipped: [],
    }),
    takeWindows: () => [],
    feedback: () => false,
    reset: () => {},
    restore: () => {},
  };
}
