/**
 * Every error the collector answers on purpose carries a stable `code` and the HTTP status that
 * tells a device what to do: 4xx only for reports that can never succeed (the uplink drops them),
 * 409 for one already counted, 429 and 503 (with Retry-After) for "try again later".
 */
export type CollectorErrorCode =
  | 'E_REPORT_INVALID'
  | 'E_REPORT_REFUSED'
  | 'E_REPORT_DUPLICATE'
  | 'E_RATE_LIMITED'
  | 'E_DATABASE_UNAVAILABLE'
  | 'E_BASELINE_INVALID'
  | 'E_CONFIG'
  | 'E_UNAUTHORIZED'
  | 'E_FORBIDDEN'
  | 'E_KEY_IN_QUERY'
  | 'E_QUERY';

const STATUS: Record<CollectorErrorCode, number> = {
  E_REPORT_INVALID: 400,
  E_REPORT_REFUSED: 422,
  E_REPORT_DUPLICATE: 409,
  E_RATE_LIMITED: 429,
  E_DATABASE_UNAVAILABLE: 503,
  E_BASELINE_INVALID: 400,
  E_CONFIG: 500,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_KEY_IN_QUERY: 400,
  E_QUERY: 400,
};

export class CollectorError extends Error {
  readonly code: CollectorErrorCode;
  /** HTTP status of the answer. */
  readonly status: number;
  /** Seconds the client should wait before sending again (429, 503). */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: CollectorErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Malformed: the schema, a key, the JSON itself. Never valid, whatever the collector holds. */
export class ReportInvalidError extends CollectorError {
  constructor(message: string) {
    super('E_REPORT_INVALID', message);
  }
}

/** Well-formed but refused by a rule (bounds, layout, window age): sending it again cannot succeed. */
export class ReportRefusedError extends CollectorError {
  constructor(message: string) {
    super('E_REPORT_REFUSED', message);
  }
}

/**
 * The database failed: unreachable, timed out, restarting, or a transaction lost a conflict more
 * often than retried. Nothing of the request was committed; the device keeps it and retries.
 */
export class DatabaseUnavailableError extends CollectorError {
  /** SQLSTATE of the underlying error, when the database sent one. */
  readonly sqlState: string | undefined;
  constructor(message: string, options: { cause?: unknown; sqlState?: string; retryAfterSeconds?: number } = {}) {
    super('E_DATABASE_UNAVAILABLE', message, { cause: options.cause, retryAfterSeconds: options.retryAfterSeconds ?? 2 });
    this.sqlState = options.sqlState;
  }
}

export class BaselineInvalidError extends CollectorError {
  constructor(message: string) {
    super('E_BASELINE_INVALID', message);
  }
}

/** No key, or a key no app has. */
export class UnauthorizedError extends CollectorError {
  constructor(message: string) {
    super('E_UNAUTHORIZED', message);
  }
}

/** A valid key of a role that may not do this (a read key writing a baseline, an ingest key reading). */
export class ForbiddenError extends CollectorError {
  constructor(message: string) {
    super('E_FORBIDDEN', message);
  }
}
