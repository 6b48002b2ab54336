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

/**
 * A promise that rejects when ORT's WebGPU device is lost. Needed because ORT does not notice a lost
 * device: a run on it never settles (measured in Chromium 156 with ORT 1.30), so without this race
 * a device loss would hang the model instead of falling back.
 */
export function deviceLostSignal(device: DeviceLike | undefined): { lost: Promise<never>; reason: () => string | undefined } {
  let reason: string | undefined;
  if (!device?.lost) return { lost: new Promise<never>(() => {}), reason: () => undefined };
  const lost = device.lost.then((info): never => {
    reason = `WebGPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no message'}`;
    throw new Error(reason);
  });
  // Nobody may be racing it when the loss happens; the rejection is read through reason() later.
  lost.catch(() => undefined);
  return { lost, reason: () => reason };
}
