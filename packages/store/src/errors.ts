/**
 * Errors of the model store; each has a stable `code`:
 * - E_MANIFEST: the manifest is JSON but not a valid Edgewise manifest (a publisher error; not retried).
 * - E_VERSION: the requested version is unknown or revoked.
 * - E_DOWNLOAD: a file could not be fetched (network, HTTP status); retry later.
 * - E_INTEGRITY: bytes do not match the manifest's size or SHA-256; nothing was installed.
 * - E_QUOTA: storage is full and nothing unpinned is left to evict.
 * - E_NOT_CACHED: the manifest is unavailable and no valid version is cached.
 * - E_ABORTED: the caller's AbortSignal fired.
 * - E_TOO_LARGE: the model cannot fit this platform's limits (checked from the manifest, before any download).
 */
export type StoreErrorCode = 'E_MANIFEST' | 'E_VERSION' | 'E_DOWNLOAD' | 'E_INTEGRITY' | 'E_QUOTA' | 'E_NOT_CACHED' | 'E_ABORTED' | 'E_TOO_LARGE';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export const isQuotaError = (e: unknown) => e instanceof Error && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));
