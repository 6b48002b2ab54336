/**
 * Every error Edgewise raises on purpose is an `EdgewiseError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages. Errors keep their class and code across the
 * worker boundary (see `error-serialization.ts`).
 */
export type EdgewiseErrorCode =
  | 'E_INPUT'
  | 'E_SUSPICIOUS_INPUT'
  | 'E_MODEL_FORMAT'
  | 'E_MODEL_SOURCE'
  | 'E_BACKEND'
  | 'E_ALL_BACKENDS_FAILED'
  | 'E_UNKNOWN_ENGINE'
  | 'E_WORKER_CRASHED'
  | 'E_ENGINE_WEDGED'
  | 'E_DISPOSED'
  | 'E_NO_BASELINE';

/**
 * What the caller (or the SDK) can do about an error, decided where it is raised:
 * - 'none': nothing will change by retrying (bad input, a malformed model, a disposed model);
 * - 'next-backend': this backend cannot run the model; another one may;
 * - 'new-thread': nothing more can run in this thread (a wedged engine, a dead worker); a fresh one may;
 * - 'retry-later': a later attempt may succeed (no backend works right now, the network is down).
 */
export type Recovery = 'none' | 'next-backend' | 'new-thread' | 'retry-later';

/**
 * Why a backend failed, as the engine classified its runtime's failure. 'unknown' means the engine
 * could not tell; Edgewise then decides by evidence (does the same input fail on the next backend?)
 * instead of assuming the backend is at fault.
 */
export type BackendFailure = 'backend-unavailable' | 'kernel-unsupported' | 'device-lost' | 'out-of-memory' | 'unknown';

export interface EdgewiseErrorOptions {
  cause?: unknown;
}

const RECOVERY_BY_CODE: Record<EdgewiseErrorCode, Recovery> = {
  E_INPUT: 'none',
  E_SUSPICIOUS_INPUT: 'none',
  E_MODEL_FORMAT: 'none',
  E_MODEL_SOURCE: 'retry-later',
  E_BACKEND: 'next-backend',
  E_ALL_BACKENDS_FAILED: 'retry-later',
  E_UNKNOWN_ENGINE: 'none',
  E_WORKER_CRASHED: 'new-thread',
  E_ENGINE_WEDGED: 'new-thread',
  E_DISPOSED: 'none',
  E_NO_BASELINE: 'none',
};

/**
 * Base class of every Edgewise error.
 *
 * @example
 * try { await model.run(inputs) } catch (e) { if (e instanceof EdgewiseError && e.code === 'E_INPUT') … }
 */
export class EdgewiseError extends Error {
  readonly code: EdgewiseErrorCode;
  constructor(code: EdgewiseErrorCode, message: string, options: EdgewiseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** What can be done about it (see Recovery); fixed per code. */
  get recovery(): Recovery {
    return RECOVERY_BY_CODE[this.code];
  }
}

/** An input tensor was missing, unknown, or of the wrong dtype, shape or values. */
export class InputError extends EdgewiseError {
  /** Name of the offending input (or '' when the inputs object itself was wrong). */
  readonly input: string;
  readonly received: string;
  readonly expected: string;
  constructor(input: string, received: string, expected: string, options: EdgewiseErrorOptions = {}) {
    const subject = input ? `input "${input}"` : 'inputs';
    super('E_INPUT', `Invalid ${subject}: received ${received}; expected ${expected}.`, options);
    this.input = input;
    this.received = received;
    this.expected = expected;
  }
}

/**
 * The monitor's circuit breaker rejected an input whose feature lies outside the baseline's range
 * (or is not finite). Counted in the model's health as `rejected`.
 */
export class SuspiciousInputError extends EdgewiseError {
  readonly feature: string;
  readonly value: number;
  readonly allowed: string;
  constructor(feature: string, value: number, allowed: string) {
    super('E_SUSPICIOUS_INPUT', `Input rejected by the monitor: feature "${feature}" is ${value}; the baseline allows ${allowed}.`);
    this.feature = feature;
    this.value = value;
    this.allowed = allowed;
  }
}

/** No drift report can be made: the model was loaded without a monitor baseline. */
export class NoBaselineError extends EdgewiseError {
  constructor() {
    super('E_NO_BASELINE', 'model.drift() needs a baseline: load the model with monitor: { baseline, features }.');
  }
}

/** The bytes given as a model are not a model this engine can read. */
export class ModelFormatError extends EdgewiseError {
  constructor(message: string, options: EdgewiseErrorOptions = {}) {
    super('E_MODEL_FORMAT', message, options);
  }
}

/** The model source could not be read (HTTP error, missing file, wrong type of source). */
export class ModelSourceError extends EdgewiseError {
  constructor(message: string, options: EdgewiseErrorOptions = {}) {
    super('E_MODEL_SOURCE', message, options);
  }
}

/**
 * One backend failed to create a session or to run it. `failure` is the engine's classification;
 * engines set it where they can tell (a lost device, a missing kernel, memory), else 'unknown'.
 */
export class BackendError extends EdgewiseError {
  readonly backend: string;
  readonly failure: BackendFailure;
  constructor(backend: string, message: string, options: EdgewiseErrorOptions & { failure?: BackendFailure } = {}) {
    super('E_BACKEND', `Backend "${backend}" failed: ${message}`, options);
    this.backend = backend;
    this.failure = options.failure ?? 'unknown';
  }
}

/** Why one backend was not used; recorded on the model and sent as an event. */
export interface BackendAttempt {
  backend: string;
  /**
   * 'skipped' = never tried (engine lacks it), 'failed' = tried and threw, 'selected' = in use,
   * 'slower' = worked, but `select: 'fastest'` measured another backend faster.
   */
  outcome: 'skipped' | 'failed' | 'selected' | 'slower';
  reason?: string;
  /** With `select: 'fastest'`: this backend's median time per probe run, in ms. */
  probeMs?: number;
  /** 'load' for load-time selection, 'run' for a run-time fallback. */
  phase: 'load' | 'run';
}

/** No backend in the preference list could load (or re-run) the model; lists every cause. */
export class AllBackendsFailedError extends EdgewiseError {
  readonly attempts: readonly BackendAttempt[];
  constructor(attempts: readonly BackendAttempt[], options: EdgewiseErrorOptions = {}) {
    const lines = attempts.map((a) => `  - ${a.backend}: ${a.outcome}${a.reason ? ` (${a.reason})` : ''}`);
    super('E_ALL_BACKENDS_FAILED', `No backend could run the model:\n${lines.join('\n')}`, options);
    this.attempts = attempts;
  }
}

/** The runtime has no engine of that name. */
export class UnknownEngineError extends EdgewiseError {
  constructor(engine: string, known: readonly string[]) {
    super('E_UNKNOWN_ENGINE', `Unknown engine "${engine}"; registered engines: ${known.map((k) => `"${k}"`).join(', ') || '(none)'}.`);
  }
}

/**
 * The engine can no longer run anything in this thread (onnxruntime-web after a WebGPU device loss:
 * its hung run holds the WASM module forever). Only a fresh thread recovers; `worker: true` models
 * do that by themselves, restarting the worker on the next backend.
 */
export class EngineWedgedError extends EdgewiseError {
  readonly backend: string;
  constructor(backend: string, message: string, options: EdgewiseErrorOptions = {}) {
    super('E_ENGINE_WEDGED', message, options);
    this.backend = backend;
  }
}

/**
 * The worker that hosted the model died, or stopped answering (`hung`); the calls that were
 * pending fail with this. The worker is replaced and the model reloaded by itself.
 */
export class WorkerCrashedError extends EdgewiseError {
  readonly hung: boolean;
  /**
   * Whether this call was the oldest one pending when the worker died: the one it was running (a
   * worker takes calls in order), so the likeliest cause. False for calls waiting behind it, of
   * this model or another sharing the worker: a canary guard counts only crashes it caused.
   */
  readonly culprit: boolean;
  constructor(message: string, options: EdgewiseErrorOptions & { hung?: boolean; culprit?: boolean } = {}) {
    super('E_WORKER_CRASHED', message, options);
    this.hung = options.hung ?? false;
    this.culprit = options.culprit ?? true;
  }
}

/** The model (or runtime) was disposed before or during the call. */
export class DisposedError extends EdgewiseError {
  constructor(what: string) {
    super('E_DISPOSED', `${what} has been disposed.`);
  }
}

/** Readable one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
