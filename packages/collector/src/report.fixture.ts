import { randomUUID } from 'node:crypto';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type Report } from '@edgewise/wire';

/** Test fixtures for the collector's unit tests (not built: src/**\/*.fixture.ts is excluded). */

/** The collector's own counting rules, privacy off (the privacy rules have their own suite). */
export const NOW = Date.parse('2026-06-01T12:30:00Z');

/** `n` bins with everything in the first. */
export const bins = (n: number, total: number) => ({ counts: Array.from({ length: n }, (_, i) => (i === 0 ? total : 0)), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });

/** A schema-valid report of `runs` runs ending at NOW, without features; `patch` adds sections. */
export const fixtureReport = (runs: number, patch: Partial<Report> = {}): Report => ({
  v: 1,
  id: randomUUID(),
  model: 'm',
  modelVersion: '1',
  window: { start: NOW - 1000, end: NOW },
  counters: { runs, errors: 0, rejected: 0, fallbacks: 0 },
  backends: { wasm: runs },
  latencyMs: bins(LATENCY_EDGES_MS.length + 1, runs),
  confidence: bins(CONFIDENCE_EDGES.length + 1, runs),
  topClasses: { '3': runs },
  features: {},
  ...patch,
});
