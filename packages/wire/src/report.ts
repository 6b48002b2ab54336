/**
 * The report a device sends: counts only. No device id, no input, and no raw value: numeric data
 * travels as counts on bin edges fixed in advance (by the model's baseline, or below for latency and
 * confidence), never as sketch items, quantiles or min/max, which are values someone entered.
 */
export const REPORT_VERSION = 1;

/**
 * Compute backends a report may count runs on (lowercase registry keys, as @edgewise/core names
 * them; core re-exports this list). The collector folds any other name into "__other__".
 */
export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu', 'coreml', 'nnapi', 'xnnpack'] as const;

/** The key counts outside a known vocabulary are folded into (categories, backends, classes). */
export const OTHER_KEY = '__other__';

/** Latency bins (ms), upper bounds, Prometheus-style: sub-ms to 10 s. */
export const LATENCY_EDGES_MS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 10000] as const;

/** Confidence bins: 20 equal bins over [0, 1]. */
export const CONFIDENCE_EDGES = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

/** Counts of a numeric stream on fixed edges: counts[i] for (edges[i-1], edges[i]], last above the last edge. */
export interface BinnedCounts {
  counts: number[];
  missing: number;
  nan: number;
  belowRange: number;
  aboveRange: number;
}

export type FeatureAggregate = ({ kind: 'numeric' } & BinnedCounts) | { kind: 'categorical'; counts: Record<string, number>; missing: number };

/**
 * Delayed labels (model.feedback) counted in a window. `confusion` keys are "label:predicted" class
 * indices; `labeled` and `correct` are per confidence bin (CONFIDENCE_EDGES), so accuracy and
 * calibration (accuracy per confidence bin) follow from counts alone.
 */
export interface LabelCounts {
  confusion: Record<string, number>;
  labeled: BinnedCounts;
  correct: BinnedCounts;
}

/** Bins of a shadow run's mean absolute output difference from the active run: 1e-6 to 1, by decades. */
export const SHADOW_DIFF_EDGES = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1] as const;

/**
 * Shadow evaluation (loadModel `shadow`) counted in a window: a candidate version run beside the
 * active one on a sample of runs. `items` are batch items compared and `agreed` those whose top-1
 * class matched; `absDiff` bins each compared run's mean |active − candidate| over outputs;
 * the latencies are both runs' on LATENCY_EDGES_MS, so the ratio follows from counts alone.
 */
export interface ShadowCounts {
  /**
   * One count group (bounded together under privacy): runs compared, batch items compared and
   * agreed, candidate runs that threw (the active result was already returned), and sampled runs
   * skipped because shadow runs were already waiting.
   */
  counters: { runs: number; items: number; agreed: number; errors: number; dropped: number };
  absDiff: BinnedCounts;
  activeLatencyMs: BinnedCounts;
  candidateLatencyMs: BinnedCounts;
}

/**
 * Canary guard verdicts (loadModel `canary`) counted in the window they were reached in: a canary
 * version guarded against the version before it, on the device. Each verdict adds 1 to `outcomes`
 * (passed, or rolled back for its reason) and the counts it was judged on to `evidence`. The
 * report's modelVersion is the canary's (the version the uplink reports for).
 */
export interface CanaryCounts {
  /**
   * One count group: verdicts. `rolledBackCrashes` (the canary took its worker down `maxCrashes`
   * times) is optional on the wire, as SDKs before it do not send it; absent counts as 0.
   */
  outcomes: { passed: number; rolledBackErrorRate: number; rolledBackAgreement: number; rolledBackLatency: number; rolledBackCrashes?: number };
  /**
   * One count group: canary runs and canary errors (rejected, or non-finite outputs), reference runs
   * and reference errors, runs compared, batch items compared and those whose top-1 class agreed.
   */
  evidence: { runs: number; canaryErrors: number; referenceRuns: number; referenceErrors: number; compared: number; items: number; agreed: number };
}

/** The keys of CanaryCounts' groups, in order (the collector's release domain uses them). */
export const CANARY_OUTCOME_KEYS = ['passed', 'rolledBackErrorRate', 'rolledBackAgreement', 'rolledBackLatency', 'rolledBackCrashes'] as const;
export const CANARY_EVIDENCE_KEYS = ['runs', 'canaryErrors', 'referenceRuns', 'referenceErrors', 'compared', 'items', 'agreed'] as const;

/** One report: one model version, one time window, one device (which stays anonymous). */
export interface Report {
  v: typeof REPORT_VERSION;
  /** Random per report, so a retried delivery is never counted twice. */
  id: string;
  model: string;
  modelVersion: string;
  /** SHA-256 (hex) of the baseline whose bin edges the feature counts use, if any. */
  baseline?: string;
  /** One grid cell (window-grid.ts): start and end say nothing finer, so reports are not linkable by time. */
  window: { start: number; end: number };
  /**
   * Random per report (so per device and window), drawn fresh each window: the collector counts
   * distinct tokens as the window's devices (k). It links nothing across windows.
   */
  token?: string;
  counters: { runs: number; errors: number; rejected: number; fallbacks: number };
  backends: Record<string, number>;
  latencyMs: BinnedCounts;
  confidence: BinnedCounts;
  topClasses: Record<string, number>;
  features: Record<string, FeatureAggregate>;
  /** Present when labels arrived in the window. */
  labels?: LabelCounts;
  /** Present when a shadow candidate ran in the window. */
  shadow?: ShadowCounts;
  /** Present when a canary guard reached a verdict in the window. */
  canary?: CanaryCounts;
}
