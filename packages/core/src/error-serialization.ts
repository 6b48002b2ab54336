import {
  AllBackendsFailedError,
  BackendError,
  DisposedError,
  EdgewiseError,
  EngineWedgedError,
  InputError,
  ModelFormatError,
  ModelSourceError,
  NoBaselineError,
  SuspiciousInputError,
  UnknownEngineError,
  WorkerCrashedError,
  type BackendAttempt,
  type BackendFailure,
  type EdgewiseErrorCode,
} from './errors.js';

/** Plain-data form of an error that survives structured clone (postMessage). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: EdgewiseErrorCode;
  /** Class-specific fields (input/received/expected, backend, failure, attempts, …). */
  fields?: Record<string, unknown>;
  cause?: SerializedError;
}

type Fields = Record<string, unknown>;
type Rebuild = (fields: Fields, message: string, cause: Error | undefined) => EdgewiseError;

/**
 * One entry per error code: how to rebuild its class from plain fields. Keyed by code, not class
 * name, so a subclass defined elsewhere keeps at least its code; the exhaustive Record makes a new
 * code without an entry a compile error.
 */
const REBUILD: Record<EdgewiseErrorCode, Rebuild> = {
  E_INPUT: (f, _m, cause) => new InputError(String(f.input), String(f.received), String(f.expected), { cause }),
  E_SUSPICIOUS_INPUT: (f) => new SuspiciousInputError(String(f.feature), Number(f.value), String(f.allowed)),
  E_MODEL_FORMAT: (_f, m, cause) => new ModelFormatError(m, { cause }),
  E_MODEL_SOURCE: (_f, m, cause) => new ModelSourceError(m, { cause }),
  E_BACKEND: (f, _m, cause) => new BackendError(String(f.backend), '', { cause, failure: f.failure as BackendFailure }),
  E_ALL_BACKENDS_FAILED: (f, _m, cause) => new AllBackendsFailedError((f.attempts as BackendAttempt[]) ?? [], { cause }),
  E_UNKNOWN_ENGINE: () => new UnknownEngineError('', []),
  E_WORKER_CRASHED: (f, m, cause) => new WorkerCrashedError(m, { cause, hung: f.hung === true, culprit: f.culprit !== false }),
  E_ENGINE_WEDGED: (f, m, cause) => new EngineWedgedError(String(f.backend), m, { cause }),
  E_DISPOSED: () => new DisposedError(''),
  E_NO_BASELINE: () => new NoBaselineError(),
};

/** Own enumerable data fields of an Edgewise error (input, backend, failure, attempts, hung, …). */
function fieldsOf(error: EdgewiseError): Fields {
  const fields: Fields = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'code' && key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause') fields[key] = value;
  }
  return fields;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  if (error instanceof EdgewiseError) {
    out.code = error.code;
    out.fields = structuredCloneable(fieldsOf(error));
  }
  // Depth cap: causes can be cyclic in exotic code, and a few levels carry all the useful context.
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** Fields must survive postMessage; anything that would not (functions, class instances) is dropped. */
function structuredCloneable(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value)) out[key] = value;
  }
  return out;
}

/** Rebuilds an error with its original class (for Edgewise errors) or the closest built-in class. */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  let error: Error;
  const rebuild = data.code ? REBUILD[data.code] : undefined;
  if (rebuild) {
    error = rebuild(data.fields ?? {}, data.message, cause);
  } else if (data.name === 'TypeError' || data.name === 'RangeError') {
    error = new (data.name === 'TypeError' ? TypeError : RangeError)(data.message, { cause });
  } else {
    error = data.code ? new EdgewiseError(data.code, data.message, { cause }) : new Error(data.message, cause === undefined ? undefined : { cause });
    error.name = data.name;
  }
  // The message is restored verbatim so it reads exactly as it did inside the worker.
  error.message = data.message;
  if (data.stack) error.stack = data.stack;
  return error;
}
