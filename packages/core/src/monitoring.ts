import type { Baseline, Report } from '@edgewise/wire';
import type { ReadBytes } from './model-source.js';
import type { CanaryStatus, CanaryVerdict } from './canary-guard.js';
import type { ShadowOutcome } from './shadow.js';
import type { NamedTensors } from './tensor.js';

/**
 * The contract between a model and what watches it. Core defines it and carries it out on every
 * run; `@edgewise/drift` implements it (sketches, drift tests). Core imports no monitoring code, so
 * a model loaded with `monitor: false` pulls none in.
 */
export interface ModelObserver {
  /** The circuit breaker: inputs whose features are out of range are rejected, not just counted. */
  readonly rejects: boolean;
  /** Counters since load. Observers without addCounters are added to here when a model is moved. */
  readonly counters: Counters;
  /** Adds the counts of a model moved here (a fresh worker continues where the old one stopped). */
  addCounters?(counters: Partial<Counters>): void;
  /** Reads what is watched from the inputs, before the run. Records nothing. */
  inspect(inputs: NamedTensors): Inspection;
  /**
   * One successful run. Its prediction may be kept (bounded) for a later feedback(): under the
   * caller's `runId`, or under an id the observer mints. Returns that id (undefined or nothing: not kept).
   */
  record(inspection: Inspection, outputs: NamedTensors, latencyMs: number, backend: string, runId?: string): string | undefined | void;
  /**
   * Ground truth for an earlier run (one label, or one per batch item): counted into the open
   * window's confusion and calibration counts. False when the run is unknown, already labelled
   * or older than the monitor keeps predictions for.
   */
  feedback(runId: string, label: number | readonly number[]): boolean;
  count(counter: 'errors' | 'rejected' | 'fallbacks'): void;
  /** A shadow candidate's run (loadModel `shadow`), counted into the open window. Optional: observers without it ignore shadows. */
  recordShadow?(outcome: ShadowOutcome): void;
  /** The canary guard's verdict (loadModel `canary`), counted into the open window. Optional, as recordShadow. */
  recordCanary?(verdict: CanaryVerdict): void;
  /**
   * The model version whose runs follow (at load, and when a canary rolls back). A change closes
   * what the open window holds so far as that version's, so every window handed to the uplink is
   * one version's counts (WindowAggregates.version). Optional: observers without it label nothing.
   */
  setVersion?(version: string | undefined): void;
  drift(): DriftReport | undefined;
  report(): MonitorReport;
  /** Everything it holds, compact and versioned; may retain input values, so it stays on the device. */
  snapshot(): Uint8Array;
  /** Counts on fixed bins only, cumulative since load (or the last reset): what an uplink may send. */
  aggregates(): Aggregates;
  /**
   * Hands over the windows that closed since the last call (and, with `includeOpen`, what the open
   * window gained since it was last taken), leaving local drift as it was: the uplink's side of
   * the windows. Each is counts only, on one cell of the window grid (@edgewise/wire).
   */
  takeWindows(includeOpen: boolean): WindowAggregates[];
  reset(): void;
  /** Adds a snapshot taken from an observer of the same model. */
  restore(snapshot: Uint8Array): void;
}

/** Builds a model's observer from its `monitor` option (fetching a baseline URL with `read`). */
export type CreateObserver = (config: MonitorConfig | undefined, read: ReadBytes) => Promise<ModelObserver>;

/** What one input looked like: feature values, and why it is suspicious, if it is. */
export interface Inspection {
  values: Map<string, number[]>;
  suspicious?: { feature: string; value: number; allowed: [number, number] | 'finite' };
}

export interface Counters {
  runs: number;
  errors: number;
  rejected: number;
  fallbacks: number;
}

/** Health of a monitored model: counters, latency, confidence and the drift verdict. */
export interface MonitorReport {
  counters: Counters;
  backends: Record<string, number>;
  latencyMs: { count: number; p50: number; p95: number; p99: number };
  confidence: { count: number; p10: number; p50: number };
  topClasses: Record<string, number>;
  drift?: DriftReport;
  /** Delayed labels (model.feedback): labelled predictions and those that were right, cumulative and in the open window. */
  accuracy?: { labeled: number; correct: number; expired: number; window: { labeled: number; correct: number } };
  /** Shadow evaluation (loadModel `shadow`), cumulative and in the open window. */
  shadow?: ShadowSummary & { window: ShadowSummary };
  /** The canary guard of this load (loadModel `canary`), when the model is a guarded canary: guarding, or its verdict. */
  canary?: CanaryStatus;
  /**
   * With `monitor.sample` or `cpuBudget`: the fraction of runs sketched now, and the runs sketched
   * and passed over since the monitor was made or reset (in this thread: a model moved to a fresh
   * worker starts them again). Counters and latency count every run; input and output sketches, the sample.
   */
  sampling?: { fraction: number; sketched: number; skipped: number };
}

/**
 * A shadow candidate against the active model: runs compared, top-1 agreement (items agreed of
 * items compared), mean absolute output difference, mean latencies and their ratio, errors, drops.
 */
export interface ShadowSummary {
  runs: number;
  items: number;
  agreed: number;
  agreement: number;
  meanAbsDiff: number;
  activeMs: number;
  candidateMs: number;
  /** candidateMs / activeMs. */
  latencyRatio: number;
  errors: number;
  dropped: number;
}

/** What aggregates() returns: the report body, and features left out for lack of bins. */
export interface Aggregates {
  body: Omit<Report, 'v' | 'id' | 'model' | 'modelVersion' | 'window' | 'baseline'>;
  skipped: string[];
}

/**
 * One window's counts. `window` is a cell of the grid ([start, start + windowMs)); for the part of
 * an open window taken early, `end` is the instant it was taken.
 */
export interface WindowAggregates extends Aggregates {
  window: { start: number; end: number };
  /**
   * The model version these runs ran on, where the observer was told (setVersion). A canary
   * rolled back mid-window splits that window: the canary's part, then the previous version's.
   */
  version?: string;
}

/** How a monitored feature is read from an input tensor, per batch item (first axis). */
export type FeatureReducer = 'value' | 'mean' | 'std' | 'min' | 'max' | 'nonzero-fraction' | 'centroid-x' | 'centroid-y';

/**
 * A monitored feature. Declarative (no callbacks) so it crosses into a worker.
 *
 * @example
 * { name: 'temp_max', input: 'x', reduce: 'value', index: 1 }  // column 1 of a [batch, features] input
 * { name: 'ink', input: 'image', reduce: 'mean' }              // mean pixel of each image
 */
export interface FeatureSpec {
  name: string;
  input: string;
  reduce?: FeatureReducer;
  /** For 'value': position along the last axis (default 0). */
  index?: number;
  /** For centroids: image width (default: the last dim). */
  width?: number;
}

export type DriftMethod = 'psi' | 'jensen-shannon' | 'wasserstein' | 'ks' | 'chi-square';

export interface DriftOptions {
  /** Method per feature; default by size as Evidently does (≤1000 reference rows: KS / chi-square, else Wasserstein / Jensen-Shannon). */
  methods?: Record<string, DriftMethod>;
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** Share of drifted features at which the whole input is called drifted (default 0.5). */
  driftShare?: number;
  /** Features with fewer current values are reported but not judged (default 30). */
  minCount?: number;
}

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  method: DriftMethod;
  /** The chosen method's value: a distance, or a p-value for KS / chi-square. */
  score: number;
  threshold: number;
  drifted: boolean;
  /** Values seen on the device. */
  count: number;
  /** Every metric computable for this feature, for dashboards. */
  metrics: Partial<Record<DriftMethod | 'ks-statistic' | 'chi-square-statistic', number>>;
  /** True when too few values were seen to judge. */
  insufficient: boolean;
}

/** A drift verdict over some set of runs: per feature, and for the input as a whole. */
export interface DriftVerdict {
  features: FeatureDrift[];
  driftedShare: number;
  drifted: boolean;
}

/** A verdict over one window of the grid: [start, end). */
export interface WindowDrift extends DriftVerdict {
  start: number;
  end: number;
  /** Runs recorded in the window. */
  runs: number;
}

/**
 * What `model.drift()` gives: at the top level, the cumulative view since load; `window`, the open
 * window of the grid (tumbling, default 1 h); `previousWindow`, the last one that closed with runs.
 */
export interface DriftReport extends DriftVerdict {
  window?: WindowDrift;
  previousWindow?: WindowDrift;
}

/** The model monitor's options (see @edgewise/drift's ModelMonitor). */
export interface MonitorOptions {
  /** Training baseline shipped with the model; enables drift tests and range checks. */
  baseline?: Baseline;
  /** Features to sketch. Default: none (outputs, confidence and latency are always sketched). */
  features?: FeatureSpec[];
  /**
   * What to do with an input whose feature lies outside the baseline range (widened by
   * rangeTolerance) or is NaN: 'count' it (default) or 'reject' it with SuspiciousInputError.
   */
  onSuspicious?: 'count' | 'reject';
  /** Fraction of the baseline range allowed beyond [min, max] before a value is suspicious (default 0.1). */
  rangeTolerance?: number;
  drift?: DriftOptions;
  /** KLL accuracy parameter (default 400). */
  k?: number;
  /** Length of the tumbling drift windows, on the shared grid (@edgewise/wire window-grid; default 1 h). */
  windowMs?: number;
  /**
   * Delayed labels: how long (default 1 h) and how many (default 10 000, caller-named and
   * automatic ones each) predictions wait for feedback(). `autoRunIds` (default true): every
   * monitored run of a classifier gets an id (`runIdOf(outputs)`); false keeps caller-named runs only.
   */
  labels?: { maxAgeMs?: number; maxPending?: number; autoRunIds?: boolean };
  /** Closed windows kept for the uplink before the oldest is dropped (default 168: a week of hours). */
  maxClosedWindows?: number;
  /**
   * Fraction of runs whose inputs and outputs are sketched (default 1: every run), each run drawn
   * independently, in [1e-4, 1]. Counters, latency and backends still count every run. A run given
   * a `runId` keeps its prediction for feedback() either way, but is sketched only if drawn (apps
   * name the runs that can get a label, rarely a uniform subset); a run passed over gets no
   * automatic id. For tiny models called at a high rate, where the monitor's few µs a run are a
   * visible share: drift tests need a uniform sample of the traffic, not all of it. A window then
   * reports `runs` for every run while its histograms hold the sample.
   */
  sample?: number;
  /**
   * Keeps the monitor's timed work near this share of the model's run time (e.g. 0.01 for 1 %) by
   * sampling: the fraction becomes budget × mean run latency / measured cost of a sketched run,
   * at most `sample`, at least 1e-4. Off by default. `health().sampling` says where it stands.
   * Not in the budget: what a run passed over still costs, cache and GC effects on the engine
   * (measured: process CPU about 1.5× the budget), and a reject-mode monitor's inspection, which
   * runs before every run and is never sampled.
   */
  cpuBudget?: number;
}

/** `loadModel({ monitor })`: the monitor's options, with the baseline as an object or the URL of its JSON. */
export type MonitorConfig = Omit<MonitorOptions, 'baseline'> & { baseline?: Baseline | string };
