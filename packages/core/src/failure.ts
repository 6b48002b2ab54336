import type { BackendName } from './engine.js';
import { BackendError, EdgewiseError, InputError, type BackendFailure } from './errors.js';

/**
 * The closed set of reasons a run can fail, as the model's lifecycle acts on them:
 * - 'input': the caller's data; never a reason to leave a backend.
 * - 'model-format': the model itself; no backend will do better.
 * - BackendFailure kinds: this backend, so the next one is tried.
 * - 'engine-wedged' / 'worker-died' / 'hung': the thread; only a fresh thread (worker) recovers.
 * - 'unknown': nobody could tell; decided by evidence (does the same input fail elsewhere too?).
 */
export type FailureKind = 'input' | 'model-format' | Exclude<BackendFailure, 'unknown'> | 'engine-wedged' | 'worker-died' | 'hung' | 'unknown';

/** One failed run, classified. */
export interface Failure {
  kind: FailureKind;
  /** The backend the run was on. */
  backend: BackendName;
  error: unknown;
}

/**
 * Classifies what an engine threw. Engines classify their runtime's failures where they happen (see
 * each engine's classifier); this only reads the typed result, and never guesses from message text.
 * Anything untyped, e.g. a plain Error from a user-written engine, is 'unknown'.
 */
export function classifyFailure(error: unknown, backend: BackendName): Failure {
  return { kind: kindOf(error), backend, error };
}

function kindOf(error: unknown): FailureKind {
  if (!(error instanceof EdgewiseError)) return 'unknown';
  switch (error.code) {
    case 'E_INPUT':
    case 'E_SUSPICIOUS_INPUT':
      return 'input';
    case 'E_MODEL_FORMAT':
      return 'model-format';
    case 'E_BACKEND':
      return error instanceof BackendError ? error.failure : 'unknown';
    case 'E_ENGINE_WEDGED':
      return 'engine-wedged';
    case 'E_WORKER_CRASHED':
      return (error as { hung?: boolean }).hung ? 'hung' : 'worker-died';
    default:
      return 'unknown';
  }
}

/** The kinds that implicate the backend: the model moves on to the next one. */
export const BACKEND_FAULTS: ReadonlySet<FailureKind> = new Set(['backend-unavailable', 'kernel-unsupported', 'device-lost', 'out-of-memory']);
/** The kinds that implicate the thread: a fresh worker is the only way on. */
export const THREAD_FAULTS: ReadonlySet<FailureKind> = new Set(['engine-wedged', 'worker-died', 'hung']);

/**
 * The evidence rule's verdict: the same input failed on another backend too, so it was the input.
 * Raised as an InputError so callers see one class for "your data", however it was found out.
 */
export function inputErrorByEvidence(original: unknown, backends: readonly string[]): InputError {
  const message = original instanceof Error ? original.message : String(original);
  return new InputError('', `inputs that the engine rejected on ${backends.join(' and ')} alike (${message})`, 'inputs this model can run', { cause: original });
}
