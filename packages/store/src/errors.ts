/** Errors of the model store; each has a stable `code`. */
export type StoreErrorCode = 'E_MANIFEST' | 'E_VERSION' | 'E_DOWNLOAD' | 'E_INTEGRITY' | 'E_QUOTA' | 'E_NOT_CACHED' | 'E_ABORTED';

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
