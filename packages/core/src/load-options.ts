import { BACKEND_NAMES, type BackendName } from './engine.js';
import type { MonitorConfig } from './monitoring.js';
import type { BackendAttempt } from './errors.js';
import type { ModelSource } from './model-source.js';
import type { ValidationOptions } from './validate-inputs.js';
import type { NamedTensors } from './tensor.js';
import type { RecoveryOptions } from './model.js';
import { checkShadowOptions, type ShadowOptions } from './shadow.js';
import { checkCanaryOptions, type CanaryOptions } from './canary.js';

/**
 * What `loadModel` takes.
 *
 * @example
 * await runtime.loadModel({ source: '/models/mnist.onnx', engine: 'onnx', backends: ['webgpu', 'wasm'], worker: true });
 */
export interface LoadModelOptions {
  /** The model itself. Give either this (with `engine`) or `manifest`. */
  source?: ModelSource;
  /**
   * URL of a model manifest: the version is resolved, served from the store when cached and intact,
   * else downloaded, verified and installed (needs a runtime with a `models` cache).
   */
  manifest?: string;
  /** With `manifest`: 'latest' (default) or an exact version. */
  version?: string;
  /** With `manifest`: download progress, bytes across all files of the version. */
  onProgress?: (progress: { loaded: number; total: number; file: string }) => void;
  /** Registry key of the engine: 'onnx' or 'tfjs'. Taken from the manifest when loading by manifest. */
  engine?: string;
  /** Backends to try, best first. Defaults to every backend the engine has here. */
  backends?: BackendName[];
  /**
   * How to choose among `backends`. 'first' (default): the first that loads. 'fastest': load on
   * every backend that works, time a few runs of `probe` on each, keep the fastest and release the
   * rest; later run-time fallbacks go to the next fastest. A GPU is not always faster: small models
   * pay more in dispatch than they gain, and software GPUs (SwiftShader) are far slower than WASM.
   */
  select?: 'first' | 'fastest';
  /**
   * With `select: 'fastest'`: the inputs to time (realistic shapes and values). Default: zeros,
   * shaped from the model's declared inputs with symbolic dims set to 1.
   */
  probe?: NamedTensors;
  /** With `select: 'fastest'`: timed runs per backend, after one warm-up run. Default 5. */
  probeRuns?: number;
  /** Run the engine in a dedicated worker (browsers: Web Worker). Default false. */
  worker?: boolean;
  /** WASM threads. */
  numThreads?: number;
  /** Input validation settings, or false to skip validation. */
  validation?: ValidationOptions | false;
  /**
   * Called for every backend considered at load time (skipped, failed, selected), before the model
   * exists to listen on. The same list is on `model.attempts` afterwards.
   */
  onBackendAttempt?: (attempt: BackendAttempt) => void;
  /**
   * On-device monitoring: sketches of the named input features (and always of outputs, confidence
   * and latency), drift against `baseline` (an object or the URL of its JSON), and optionally a
   * circuit breaker for inputs outside the baseline's range.
   *
   * @example
   * monitor: { baseline: '/models/mnist/baseline.json', features: [{ name: 'ink', input: 'image', reduce: 'mean' }] }
   *
   * `false` turns monitoring off entirely (no sketches, no counters): for hot loops whose health is
   * watched elsewhere. health() and aggregates() then report an empty monitor, and drift() throws.
   */
  monitor?: MonitorConfig | false;
  /**
   * How the model recovers from faults. `runTimeoutMs` (default 60 000): a run that has not
   * finished by then counts as a hung engine (in a worker: the worker is replaced); a session's
   * first run gets `firstRunTimeoutMs` (default 5 × runTimeoutMs). While failed
   * (no backend would open), a run tries to reopen `retryBaseMs` (default 1 000) after the failure,
   * then doubling up to `retryMaxMs` (default 60 000); earlier runs reject at once with the error.
   */
  recovery?: Partial<RecoveryOptions>;
  /**
   * Shadow evaluation: a candidate version run on a sample of runs after the active result is
   * returned (never awaited by run()), in the same thread or worker; agreement, output difference,
   * latency and errors are counted per window in health() and in the reports the uplink sends.
   *
   * @example
   * shadow: { source: '/models/mnist/model.onnx', sample: 0.1 }
   */
  shadow?: ShadowOptions;
  /**
   * The canary guard, on by default (`false`: off). Applies when a manifest load of 'latest' reached
   * the manifest's `rollout` version and the version active before it is still cached: that one
   * runs beside the canary on a sample as the reference, and a canary that errs more, disagrees or
   * is slower past the thresholds is rolled back on the device (the store too) and reported; see
   * CanaryOptions. Other loads ignore it.
   *
   * @example
   * canary: { minRuns: 50, minAgreement: 0.9, maxLatencyRatio: 1.5, maxErrorRateIncrease: 0.02 }
   */
  canary?: CanaryOptions | false;
  /**
   * @internal Carried into a fresh worker when the model is relocated: the monitor's state, and the
   * runs of a guarded canary `version` that took earlier workers down.
   */
  resume?: { snapshot?: Uint8Array; counters?: Partial<Record<'runs' | 'errors' | 'rejected' | 'fallbacks', number>>; canaryCrashes?: { version: string; crashes: number } };
}

/** Rejects malformed options with a TypeError/RangeError naming the field. */
export function checkLoadOptions(options: unknown): asserts options is LoadModelOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`loadModel(): expected an options object {source, engine, …}; received ${options === null ? 'null' : typeof options}.`);
  }
  const o = options as Record<string, unknown>;
  const hasSource = o.source !== undefined && o.source !== null;
  if (hasSource === (o.manifest !== undefined)) {
    throw new TypeError('loadModel(): give exactly one of "source" (a URL, path, bytes or {entry, files}) and "manifest" (a manifest URL).');
  }
  if (o.manifest !== undefined && typeof o.manifest !== 'string') throw new TypeError(`loadModel(): "manifest" must be a URL string; received ${typeof o.manifest}.`);
  if (o.version !== undefined && typeof o.version !== 'string') throw new TypeError(`loadModel(): "version" must be a string such as 'latest' or '1.2.0'.`);
  if (hasSource && typeof o.engine !== 'string') throw new TypeError(`loadModel(): "engine" must be a string such as 'onnx' or 'tfjs'; received ${typeof o.engine}.`);
  if (o.backends !== undefined) {
    if (!Array.isArray(o.backends) || o.backends.length === 0) {
      throw new TypeError(`loadModel(): "backends" must be a non-empty array of ${BACKEND_NAMES.join(', ')}.`);
    }
    for (const b of o.backends) {
      if (!BACKEND_NAMES.includes(b as BackendName)) {
        throw new RangeError(`loadModel(): unknown backend ${JSON.stringify(b)} in "backends"; allowed: ${BACKEND_NAMES.join(', ')}.`);
      }
    }
  }
  if (o.select !== undefined && o.select !== 'first' && o.select !== 'fastest') {
    throw new RangeError(`loadModel(): "select" must be 'first' or 'fastest'; received ${JSON.stringify(o.select)}.`);
  }
  if (o.probe !== undefined && (typeof o.probe !== 'object' || o.probe === null)) throw new TypeError('loadModel(): "probe" must be named tensors, as run() takes.');
  if (o.probeRuns !== undefined && !(Number.isInteger(o.probeRuns) && (o.probeRuns as number) >= 1)) {
    throw new RangeError(`loadModel(): "probeRuns" must be an integer ≥ 1; received ${String(o.probeRuns)}.`);
  }
  if (o.worker !== undefined && typeof o.worker !== 'boolean') throw new TypeError(`loadModel(): "worker" must be a boolean; received ${typeof o.worker}.`);
  if (o.numThreads !== undefined && !(Number.isInteger(o.numThreads) && (o.numThreads as number) >= 1)) {
    throw new RangeError(`loadModel(): "numThreads" must be an integer ≥ 1; received ${String(o.numThreads)}.`);
  }
  if (o.recovery !== undefined) checkRecovery(o.recovery);
  if (o.shadow !== undefined) checkShadowOptions(o.shadow);
  if (o.canary !== undefined) checkCanaryOptions(o.canary);
}

function checkRecovery(recovery: unknown): void {
  if (typeof recovery !== 'object' || recovery === null) throw new TypeError('loadModel(): "recovery" must be an object {runTimeoutMs, retryBaseMs, retryMaxMs}.');
  for (const [key, value] of Object.entries(recovery)) {
    if (!['runTimeoutMs', 'firstRunTimeoutMs', 'retryBaseMs', 'retryMaxMs'].includes(key)) {
      throw new RangeError(`loadModel(): unknown "recovery.${key}"; allowed: runTimeoutMs, firstRunTimeoutMs, retryBaseMs, retryMaxMs.`);
    }
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`loadModel(): "recovery.${key}" must be a positive number of ms (runTimeoutMs may be Infinity); received ${String(value)}.`);
  }
}
