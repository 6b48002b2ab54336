import type { CanaryVerdict } from '@edgewise/core';
import { CANARY_EVIDENCE_KEYS, CANARY_OUTCOME_KEYS, type CanaryCounts } from '@edgewise/wire';

export const emptyCanaryCounts = (): CanaryCounts => ({
  outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 0, rolledBackLatency: 0, rolledBackCrashes: 0 },
  evidence: { runs: 0, canaryErrors: 0, referenceRuns: 0, referenceErrors: 0, compared: 0, items: 0, agreed: 0 },
});

const OUTCOME_OF = { crashes: 'rolledBackCrashes', 'error-rate': 'rolledBackErrorRate', agreement: 'rolledBackAgreement', latency: 'rolledBackLatency' } as const;

/** Adds one verdict: 1 to its outcome, its counts to the evidence (latencies stay on the device). */
export function addCanaryVerdict(into: CanaryCounts, verdict: CanaryVerdict): void {
  if (verdict.outcome === 'passed') into.outcomes.passed++;
  else {
    const key = OUTCOME_OF[verdict.reason ?? 'error-rate'];
    into.outcomes[key] = (into.outcomes[key] ?? 0) + 1;
  }
  for (const key of CANARY_EVIDENCE_KEYS) into.evidence[key] += verdict[key];
}

export function addCanaryCounts(into: CanaryCounts, from: CanaryCounts): void {
  for (const key of CANARY_OUTCOME_KEYS) into.outcomes[key] = (into.outcomes[key] ?? 0) + (from.outcomes[key] ?? 0);
  for (const key of CANARY_EVIDENCE_KEYS) into.evidence[key] += from.evidence[key];
}

export const isEmptyCanary = (c: CanaryCounts): boolean => CANARY_OUTCOME_KEYS.every((key) => !c.outcomes[key]);
