import { DEFAULT_COLLECTOR_PRIVACY, layoutOf, releaseWindow, type ExactWindow, type ReportAdditions } from '@edgewise/collector';
import type { ReportBody } from '@edgewise/uplink';
import { gridWindowAt } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { deviceReport, weatherBaseline } from '../collector-client.js';
import { audit, devicePath, exactWindow } from '../support/privacy-audit.js';

/**
 * Empirical privacy audit of the device → release path: neighbouring windows that differ in one
 * device (the victim), the victim's report built by the real device code and checked by the real
 * collector code on every trial, then released by the collector's release function with its CSPRNG
 * noise. In-process calls of the same code the collector runs on reads (no HTTP or database per
 * trial: 40,000 releases over HTTP would take minutes and test the same function); the background
 * devices' reports are deterministic, so they go through the path once.
 */
const TRIALS = 10_000;
const baseline = weatherBaseline();
const layout = layoutOf(baseline, 1024);
const privacy = DEFAULT_COLLECTOR_PRIVACY;
const AT = Date.UTC(2026, 11, 2, 10, 30);
const window = { start: gridWindowAt(AT).start, windowMs: 3_600_000 };

const bodyOf = (runs: number): ReportBody => {
  const { v, id, model, modelVersion, window: _w, baseline: _b, token, ...body } = deviceReport(runs);
  return body;
};

/** The most distinguishable device: all of each group's mass on one key. */
function victimBody(): ReportBody {
  const body = bodyOf(20);
  const one = (n: number, at: number) => Array.from({ length: n }, (_, i) => (i === at ? 20 : 0));
  body.latencyMs.counts = one(body.latencyMs.counts.length, 3);
  body.confidence.counts = one(body.confidence.counts.length, 19);
  body.topClasses = { '1': 20 };
  for (const f of Object.values(body.features)) if (f.kind === 'numeric') f.counts = one(f.counts.length, f.counts.length - 1);
  return body;
}

function plus(exact: ExactWindow, device: ReportAdditions): ExactWindow {
  const out: ExactWindow = { counters: { ...exact.counters }, counts: new Map([...exact.counts].map(([s, m]) => [s, new Map(m)])), devices: exact.devices + 1 };
  for (const c of ['runs', 'errors', 'rejected', 'fallbacks'] as const) out.counters[c] += device[c];
  for (const [series, keys] of Object.entries(device.counts)) {
    if (!out.counts.has(series)) out.counts.set(series, new Map());
    for (const [key, n] of Object.entries(keys)) out.counts.get(series)!.set(key, (out.counts.get(series)!.get(key) ?? 0) + n);
  }
  return out;
}

describe('empirical privacy audit (neighbouring windows differing in one device)', () => {
  const background = Array.from({ length: 140 }, (_, i) => devicePath(bodyOf(20 + (i % 15)), baseline, privacy, AT));
  const exact0 = exactWindow(background);
  const exact1 = plus(exact0, devicePath(victimBody(), baseline, privacy, AT));
  const run = (p: typeof privacy) => (victimIn: boolean) => releaseWindow(window, victimIn ? plus(exact0, devicePath(victimBody(), baseline, p, AT)) : exact0, layout, p, 5);

  it(`the ε lower bound from ${TRIALS.toLocaleString('en')} + ${TRIALS.toLocaleString('en')} releases per side stays ≤ the stated ε = ${privacy.epsilon}`, () => {
    const r = audit(run(privacy), exact0, exact1, TRIALS);
    console.log(
      `[privacy audit] stated ε = ${privacy.epsilon} per window (its δ = ${privacy.delta} comes from listing windows, not exercised: 140 other devices); event LLR ≥ ${r.threshold.toFixed(3)}: ` +
        `victim in ${r.hits1}/${r.trials} (99% CP ${r.p1.map((p) => p.toFixed(4)).join('–')}), out ${r.hits0}/${r.trials} (${r.p0.map((p) => p.toFixed(4)).join('–')}); ` +
        `ε estimate ${r.epsilonEstimate.toFixed(3)}, 99% lower bound ${r.epsilonLowerBound.toFixed(3)}`,
    );
    expect(r.epsilonLowerBound).toBeLessThanOrEqual(privacy.epsilon);
    // The victim is detectable at all (the audit is not vacuous): in beats out on the chosen event.
    expect(r.hits1).toBeGreaterThan(r.hits0);
  }, 120_000);

  it('the same audit catches a release with 20× too little noise for the stated ε (so a real violation would fail the test above)', () => {
    const broken = { ...privacy, epsilon: 20 * privacy.epsilon };
    const r = audit(run(broken), exact0, exact1, TRIALS);
    console.log(`[privacy audit, mutant ε×20] ε lower bound ${r.epsilonLowerBound.toFixed(3)} (estimate ${r.epsilonEstimate.toFixed(3)}) against a stated ${privacy.epsilon}`);
    expect(r.epsilonLowerBound).toBeGreaterThan(privacy.epsilon);
  }, 120_000);
});
