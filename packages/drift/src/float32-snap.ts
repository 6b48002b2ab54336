import type { FeatureBaseline } from '@edgewise/wire';

/**
 * Float32-exact binning. Baselines are built from training data in float64 (a CSV's 4.4), but a
 * model's float32 input holds fround(4.4) = 4.400000095…, which is above the edge 4.4 and would land
 * one bin higher: the baseline's own rows then look drifted. A float32 value equal to fround(p) for
 * a baseline point p (a bin edge, the min or the max) is the float32 image of p itself (nothing
 * else in float64 that rounds there is distinguishable in float32), so it is promoted back to p
 * before it is binned, range-checked or sketched. Values elsewhere are left as they are.
 *
 * Returns undefined when no point changes under rounding (nothing to snap).
 */
export function float32SnapTable(feature: FeatureBaseline | undefined): Map<number, number> | undefined {
  if (feature?.kind !== 'numeric') return undefined;
  const table = new Map<number, number>();
  for (const point of [feature.min, ...feature.edges, feature.max]) {
    const rounded = Math.fround(point);
    // The first point wins a collision: two points one float32 apart cannot be told apart anyway.
    if (rounded !== point && !table.has(rounded)) table.set(rounded, point);
  }
  return table.size > 0 ? table : undefined;
}

/** Promotes values read from a float32 tensor to the baseline points they are the float32 image of (in place). */
export function snapFloat32(values: number[], table: Map<number, number>): void {
  for (let i = 0; i < values.length; i++) {
    const point = table.get(values[i]!);
    if (point !== undefined) values[i] = point;
  }
}
