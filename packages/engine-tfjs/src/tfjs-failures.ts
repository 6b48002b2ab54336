import type { BackendFailure } from '@edgewise/core';
import * as tf from '@tensorflow/tfjs-core';

/** What a TF.js error means for the model: the caller's input, or the backend. */
export type TfjsFailure = 'input' | BackendFailure;

const RULES: ReadonlyArray<[RegExp, TfjsFailure]> = [
  // tfjs-converter / tfjs-layers checks of the feeds against the model's signature.
  [/The shape of dict\[|must be \[.*\], but was|Error when checking|expected .* to have (shape|\d+ dimension)|does not match the (shape|dtype)|The dtype of dict\[|Based on the provided shape|should have \d+ values but has/i, 'input'],
  [/Kernel '.*' not registered for backend|is not (yet )?(supported|implemented)|unsupported (op|operation)/i, 'kernel-unsupported'],
  [/out of memory|\bOOM\b|Requested texture size|greater than WebGL maximum|failed to allocate|Maximum memory size exceeded|Array buffer allocation failed|Invalid typed array length|Cannot allocate Wasm memory|exceeds the max/i, 'out-of-memory'],
  [/device (is |was )?lost|context (is |was )?lost|CONTEXT_LOST|Device was destroyed|no longer exists/i, 'device-lost'],
];

/**
 * Whether the GPU behind a TF.js backend is gone, read from the GPU itself (WebGPU's `device.lost`
 * having resolved, WebGL's `isContextLost()`), not from message text.
 */
export function tfjsDeviceLost(backend: string): boolean {
  const impl = tf.findBackend(backend) as unknown as { device?: GPUDeviceLike; gpgpu?: { gl?: { isContextLost?(): boolean } } } | null;
  if (!impl) return false;
  if (backend === 'webgl') return impl.gpgpu?.gl?.isContextLost?.() === true;
  if (backend === 'webgpu' && impl.device) return lostDevices.has(impl.device) || watch(impl.device);
  return false;
}

interface GPUDeviceLike {
  lost?: Promise<unknown>;
}
/** Devices whose `lost` promise has resolved; watched once each (a reaction per device, not per run). */
const lostDevices = new WeakSet<GPUDeviceLike>();
const watched = new WeakSet<GPUDeviceLike>();
function watch(device: GPUDeviceLike): boolean {
  if (!watched.has(device)) {
    watched.add(device);
    void device.lost?.then(() => lostDevices.add(device));
  }
  return false;
}

/**
 * Classifies an error TF.js threw while running on `backend`. The device check comes first (the
 * most reliable signal), then the messages TF.js really throws (tested in
 * test/node/engine-failures.test.ts and the browser fault matrix). Anything else is 'unknown'.
 */
export function classifyTfjsError(error: unknown, backend: string): TfjsFailure {
  if (tfjsDeviceLost(backend)) return 'device-lost';
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, failure] of RULES) if (pattern.test(message)) return failure;
  return 'unknown';
}
