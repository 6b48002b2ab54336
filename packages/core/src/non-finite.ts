import type { NamedTensors } from './tensor.js';

/**
 * True when any float32 output holds NaN or ±Infinity: the canary answered, but with nothing usable.
 * (float16 outputs travel as raw bits and are not inspected.)
 */
export function hasNonFinite(outputs: NamedTensors): boolean {
  for (const t of Object.values(outputs)) {
    if (t.type !== 'float32') continue;
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return true;
  }
  return false;
}
