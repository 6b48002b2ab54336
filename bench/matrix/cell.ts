import type { PairedComparison } from './paired-stats.js';

/** One measurement of the benchmark matrix. */
export interface CellSpec {
  model: string;
  backend: 'wasm' | 'webgl' | 'webgpu';
  /** WASM threads (ORT's and TF.js's are both fixed when the backend first starts in a thread). */
  threads: number;
  context: 'main' | 'worker';
  /**
   * raw: the engine's own API, as an app without Edgewise would call it.
   * edgewise: loadModel()/run() with the default monitor (outputs, confidence, latency).
   * edgewise-features: plus the model's input features sketched.
   * edgewise-unmonitored: monitor: false (validation and the rest of the SDK path only).
   */
  impl: 'raw' | 'edgewise' | 'edgewise-features' | 'edgewise-unmonitored';
  /**
   * Also load this implementation in the same page and alternate runs with it (A B, B A, …), so the
   * ratio of the two medians is not swamped by page-to-page noise. Cold-load figures are the
   * primary's only: the partner loads into an engine that is already started.
   */
  pairWith?: CellSpec['impl'];
  /** Wall-clock budget for the timed runs (the first run and the warm-up come on top). */
  budgetMs?: number;
  /** Warm-up rounds before timing (default WARMUP_RUNS, at most 1.5 s, at least 3). */
  warmupRuns?: number;
  maxRuns?: number;
}

export interface CellResult {
  spec: CellSpec;
  ok: boolean;
  error?: string;
  /** Backend the runner actually ran on (Edgewise reports it; raw runners ask for exactly one). */
  ranOn?: string;
  /** Load in a fresh browser context: engine start-up, model fetch, session creation. */
  coldLoadMs?: number;
  /** The first run after the cold load (shader compilation, kernel selection…). */
  firstRunMs?: number;
  /** Loading the same model again in the same page: engine started, bytes in the HTTP cache. */
  warmLoadMs?: number;
  /** Warm-up rounds run before the timed ones. */
  warmupRuns?: number;
  runs?: number;
  medianMs?: number;
  p95Ms?: number;
  meanMs?: number;
  /** Raw worker cells: median of the run's time inside the worker; medianMs minus this is the thread hand-off. */
  workerComputeMedianMs?: number;
  /** The partner's figures from the same interleaved runs, when the cell has `pairWith`. */
  pair?: { impl: CellSpec['impl']; medianMs: number; p95Ms: number; meanMs: number; comparison: PairedComparison };
}

export const cellLabel = (s: CellSpec) => `${s.model} ${s.backend}${s.backend === 'wasm' ? `×${s.threads}` : ''} ${s.context} ${s.impl}${s.pairWith ? ` (vs ${s.pairWith})` : ''}`;
