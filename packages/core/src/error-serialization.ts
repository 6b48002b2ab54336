import {
  AllBackendsFailedError,
  BackendError,
  DisposedError,
  EdgewiseError,
  EngineWedgedError,
  InputError,
  NoBaselineError,
  SuspiciousInputError,
  ModelFormatError,
  ModelSourceError,
  UnknownEngineError,
  WorkerCrashedError,
  type BackendAttempt,
  type EdgewiseErrorCode,
} from './errors.js';

/** Plain-data form of an error that survives structured clone (postMessage). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: EdgewiseErrorCode;
  /** Class-specific fields (input/received/expected, backend, attempts). */
  fields?: Record<string, unknown>;
  cause?: SerializedError;
}

const FIELD_NAMES = ['input', 'received', 'expected', 'backend', 'attempts', 'feature', 'value', 'allowed'] as const;

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  if (error instanceof EdgewiseError) {
    out.code = error.code;
    const fields: Record<string, unknown> = {};
    for (const key of FIELD_NAMES) {
      if (key in error) fields[key] = (error as unknown as Record<string, unknown>)[key];
    }
    out.fields = fields;
  }
  // Depth cap: causes can be cyclic in exotic code, and a few levels carry all the useful context.
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** Rebuilds an error with its original class (for Edgewise errors) or the closest built-in class. */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  const f = data.fields ?? {};
  let error: Error;
  switch (data.name) {
    case 'InputError':
      error = new InputError(String(f.input), String(f.received), String(f.expected), { cause });
      break;
    case 'BackendError':
      error = new BackendError(String(f.backend), '', { cause });
      break;
    case 'AllBackendsFailedError':
      error = new AllBackendsFailedError((f.attempts as BackendAttempt[]) ?? [], { cause });
      break;
    case 'SuspiciousInputError':
      error = new SuspiciousInputError(String(f.feature), Number(f.value), String(f.allowed));
      break;
    case 'NoBaselineError':
      error = new NoBaselineError();
      break;
    case 'EngineWedgedError':
      error = new EngineWedgedError(String(f.backend), data.message, { cause });
      break;
    case 'ModelFormatError':
      error = new ModelFormatError(data.message, { cause });
      break;
    case 'ModelSourceError':
      error = new ModelSourceError(data.message, { cause });
      break;
    case 'UnknownEngineError':
      error = new UnknownEngineError('', []);
      break;
    case 'WorkerCrashedError':
      error = new WorkerCrashedError(data.message, { cause });
      break;
    case 'DisposedError':
      error = new DisposedError('');
      break;
    case 'TypeError':
      error = new TypeError(data.message, { cause });
      break;
    case 'RangeError':
      error = new RangeError(data.message, { cause });
      break;
    default:
      error = data.code
        ? new EdgewiseError(data.code, data.message, { cause })
        : new Error(data.message, cause === undefined ? undefined : { cause });
      error.name = data.name;
  }
  // The message is restored verbatim so it reads exactly as it did inside the worker.
  error.message = data.message;
  if (data.stack) error.stack = data.stack;
  return error;
}
