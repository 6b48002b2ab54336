import { StoreError } from './errors.js';
import type { ManifestVersion } from './manifest.js';

/**
 * What one model may weigh on this platform. Browsers cap one ArrayBuffer at about 2 GB (each file
 * is handed to the engine as one buffer), and a wasm32 engine (onnxruntime-web, TF.js WASM) holds
 * the whole model in a 4 GiB address space. Raise them where they do not apply (native engines).
 */
export interface ModelLimits {
  /** Largest single file, in bytes (default 2 GiB − 1). */
  maxFileBytes: number;
  /** Largest model (all files), in bytes (default 4 GiB). */
  maxModelBytes: number;
}

export const DEFAULT_LIMITS: ModelLimits = { maxFileBytes: 2 ** 31 - 1, maxModelBytes: 2 ** 32 };

/** Throws E_TOO_LARGE, before any download, when a version cannot fit. */
export function checkLimits(id: string, spec: ManifestVersion, limits: ModelLimits): void {
  const big = spec.files.find((f) => f.size > limits.maxFileBytes);
  if (big) {
    throw new StoreError('E_TOO_LARGE', `${id}: file ${big.path} is ${big.size} bytes; one file must fit one ArrayBuffer (limit ${limits.maxFileBytes} bytes). Split it (ONNX external data, TF.js shards) or raise ModelCacheOptions.limits.maxFileBytes where the platform allows.`);
  }
  const total = spec.files.reduce((s, f) => s + f.size, 0);
  if (total > limits.maxModelBytes) {
    throw new StoreError('E_TOO_LARGE', `${id} is ${total} bytes in ${spec.files.length} files; a wasm32 engine cannot hold more than ${limits.maxModelBytes} bytes. Use a smaller (quantized) model, or raise ModelCacheOptions.limits.maxModelBytes for a native engine.`);
  }
}
