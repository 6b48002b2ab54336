import type { SpeedCell } from '@edgewise/model-tools/quantize-speed';

/**
 * The mode to ship at one batch size: the fastest variant whose whole interval is above fp32;
 * if no int8 variant is surely faster, fp32 (int8 still saves bytes, so say what it costs).
 */
export function recommendation(row: readonly SpeedCell[]): string {
  const int8 = row.filter((c) => c.variant !== 'fp32');
  const surelyFaster = int8.filter((c) => c.speedup.lo > 1).sort((a, b) => b.speedup.value - a.speedup.value);
  if (surelyFaster.length) return `${surelyFaster[0]!.variant} (×${surelyFaster[0]!.speedup.value.toFixed(2)} faster than fp32)`;
  const best = [...int8].sort((a, b) => b.speedup.value - a.speedup.value)[0];
  if (!best) return 'fp32 (nothing quantised)';
  return `fp32 for speed (best int8, ${best.variant}, runs at ×${best.speedup.value.toFixed(2)} [${best.speedup.lo.toFixed(2)}–${best.speedup.hi.toFixed(2)}]); int8 only if download size matters more`;
}
