import type { Ort } from './ort-types.js';

interface LostInfo {
  reason?: string;
  message?: string;
}
interface DeviceLike {
  lost?: Promise<LostInfo>;
  destroy(): void;
}

/** ORT's WebGPU device, once its WebGPU backend has initialised (undefined before, or without WebGPU). */
export async function ortWebGpuDevice(ort: Ort): Promise<DeviceLike | undefined> {
  try {
    return ((await (ort.env.webgpu as { device?: unknown }).device) as DeviceLike | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

export interface DeviceWatch {
  /** `run`, or a rejection as soon as the device is lost while it is pending. */
  guard<T>(run: Promise<T>): Promise<T>;
  /** Why the device was lost, once it has been. */
  reason(): string | undefined;
}

/**
 * Watches ORT's WebGPU device for loss. Needed because ORT does not notice a lost device: a run on
 * it never settles (measured in Chromium 156 with ORT 1.30), so without this a device loss would
 * hang the model instead of falling back.
 *
 * Each run subscribes and unsubscribes. (Racing every run against one forever-pending `lost`
 * promise, as this first did, leaves a reaction on that promise per run: ~650 B per call that is
 * never freed, measured in Node. Without a device there is nothing to watch and runs pass through.)
 */
export function watchDevice(device: DeviceLike | undefined): DeviceWatch {
  if (!device?.lost) return { guard: (run) => run, reason: () => undefined };
  let reason: string | undefined;
  const waiting = new Set<(error: Error) => void>();
  void device.lost.then((info) => {
    reason = `WebGPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no message'}`;
    for (const reject of waiting) reject(new Error(reason));
    waiting.clear();
  });
  return {
    reason: () => reason,
    guard<T>(run: Promise<T>): Promise<T> {
      if (reason) return Promise.reject(new Error(reason));
      return new Promise<T>((resolve, reject) => {
        waiting.add(reject);
        run.then(
          (value) => {
            waiting.delete(reject);
            resolve(value);
          },
          (error) => {
            waiting.delete(reject);
            reject(error);
          },
        );
      });
    },
  };
}
