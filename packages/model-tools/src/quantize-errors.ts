/** The quantizer's typed errors: `code` names the kind of problem. */
export class QuantizeError extends Error {
  constructor(
    readonly code: 'E_MODEL_FORMAT' | 'E_UNSUPPORTED_MODEL' | 'E_NOTHING_TO_QUANTIZE' | 'E_CALIBRATION',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QuantizeError';
  }
}
