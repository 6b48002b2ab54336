import { describe, expect, it } from 'vitest';
import { buildNumericBaseline } from './baseline.js';
import { binIndex } from './numeric-sketch.js';
import { float32SnapTable, snapFloat32 } from './float32-snap.js';

/** A baseline's edges are float64 (a CSV's 4.4); a float32 tensor holds fround(4.4), just above it. */
describe('float32 snapping of baseline points', () => {
  const feature = buildNumericBaseline([1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8, 9.9, 11], 10);

  it('maps the float32 image of every min, edge and max that float32 cannot hold back to that point', () => {
    const table = float32SnapTable(feature)!;
    const points = [feature.min, ...feature.edges, feature.max].filter((p) => Math.fround(p) !== p);
    expect(points.length).toBeGreaterThan(3);
    expect([...table.entries()].sort(([a], [b]) => a - b)).toEqual(points.map((p) => [Math.fround(p), p]).sort(([a], [b]) => a! - b!));
    // 11 is exact in float32: nothing to map.
    expect(table.has(11)).toBe(false);
  });

  it('after snapping, a float32 value equal to an edge lands in the same bin as the float64 edge; other values are left alone', () => {
    const table = float32SnapTable(feature)!;
    // An edge whose float32 image is above it (4.4 → 4.400000095…).
    const at = feature.edges.findIndex((e) => Math.fround(e) > e);
    const edge = feature.edges[at]!;
    const read = [Math.fround(edge), Math.fround(edge + 0.05), 11, Math.fround(feature.min)];
    expect(binIndex(feature.edges, read[0]!)).toBe(at + 1); // one bin too high before snapping
    snapFloat32(read, table);
    expect(read).toEqual([edge, Math.fround(edge + 0.05), 11, feature.min]);
    expect(binIndex(feature.edges, read[0]!)).toBe(at);
  });

  it('no table when every point is exact in float32, or the feature is not numeric', () => {
    expect(float32SnapTable(buildNumericBaseline([0.5, 1, 2, 4, 8], 3))).toBeUndefined();
    expect(float32SnapTable({ kind: 'categorical', n: 1, missing: 0, counts: { a: 1 } })).toBeUndefined();
    expect(float32SnapTable(undefined)).toBeUndefined();
  });

  it('two points with the same float32 image: the first one wins', () => {
    const a = 0.1;
    const b = 0.1 + 1e-12; // same float32 image
    expect(Math.fround(a)).toBe(Math.fround(b));
    const table = float32SnapTable({ ...feature, min: a, edges: [b], max: 0.2, counts: [0, 0] })!;
    expect(table.get(Math.fround(a))).toBe(a);
  });
});
