/**
 * Errors of the uplink; each has a stable `code`:
 * - E_BASELINE_PRIVACY: the baseline (or a report built on it) breaks a privacy rule (too many bins,
 *   too many categories, a float declared as a category); `feature` names the feature. Nothing is queued.
 */
export type UplinkErrorCode = 'E_BASELINE_PRIVACY';

export class UplinkError extends Error {
  constructor(
    readonly code: UplinkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UplinkError';
  }
}

/** A baseline or report feature that would let bins or category keys pin one input's value. */
export class BaselinePrivacyError extends UplinkError {
  constructor(
    readonly feature: string,
    message: string,
  ) {
    super('E_BASELINE_PRIVACY', message);
    this.name = 'BaselinePrivacyError';
  }
}
