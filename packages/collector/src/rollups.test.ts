import { buildBaseline } from '@edgewise/drift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from './config.js';
import { openPglite, type Database } from './database.js';
import { writeAdditions } from './ingest-writer.js';
import { layoutOf } from './layout.js';
import { migrate } from './migrations.js';
import { bins, fixtureReport, NOW } from './report.fixture.js';
import { checkReport } from './report-check.js';
import { rollUp } from './rollup.js';
import { binnedFrom, featuresFrom, objectFrom, readCountsPerWindow, readFeaturesPerWindow, readSeriesPerWindow, readTotals, readVersions, readWindows, type SeriesCounts } from './rollups.js';

const counts = (o: Record<string, Record<string, number>>): SeriesCounts => new Map(Object.entries(o).map(([s, keys]) => [s, new Map(Object.entries(keys))]));
const baseline = buildBaseline({ x: Array.from({ length: 100 }, (_, i) => i), sky: Array.from({ length: 100 }, (_, i) => (i % 2 ? 'sun' : 'rain')) }, { bins: 4 });
const layout = layoutOf(baseline, 1024);

describe('rollup rows → answers (pure)', () => {
  it('binnedFrom: bins by index from the main series, the four extras from the extra series, zeros where absent', () => {
    expect(binnedFrom(counts({ s: { '0': 2, '2': 5, '9': 1 }, e: { nan: 3, aboveRange: 1, other: 9 } }), 's', 'e', 3)).toEqual({ counts: [2, 0, 5], missing: 0, nan: 3, belowRange: 0, aboveRange: 1 });
    expect(binnedFrom(new Map(), 's', 'e', 2)).toEqual({ counts: [0, 0], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
  });

  it('objectFrom: keys sorted, nothing for no series', () => {
    expect(Object.keys(objectFrom(new Map([['b', 1], ['a', 2], ['c', 3]])))).toEqual(['a', 'b', 'c']);
    expect(objectFrom(undefined)).toEqual({});
  });

  it('featuresFrom: the layout\'s features that have any count, numeric with its bins, categorical with missing', () => {
    const merged = counts({ 'feature:x': { '1': 4 }, 'feature-extra:x': { missing: 2 }, 'feature-extra:sky': { missing: 3 }, 'feature:unknown': { '0': 1 } });
    expect(featuresFrom(merged, layout)).toEqual({
      sky: { kind: 'categorical', counts: {}, missing: 3 },
      x: { kind: 'numeric', counts: [0, 4, 0, 0], missing: 2, nan: 0, belowRange: 0, aboveRange: 0 },
    });
    expect(featuresFrom(counts({ 'feature:sky': { sun: 2, rain: 1 } }), layout)).toEqual({ sky: { kind: 'categorical', counts: { rain: 1, sun: 2 }, missing: 0 } });
    expect(featuresFrom(new Map(), layout)).toEqual({});
  });
});

describe('reads of rolled-up and pending rows (in-process PGlite)', () => {
  const HOUR = 3_600_000;
  const OFF = { ...DEFAULTS, privacy: false as const };
  const cell = (hoursAgo: number) => Math.floor((NOW - hoursAgo * HOUR - 1) / HOUR) * HOUR;
  let db: Database;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    const write = async (version: string, runs: number, hoursAgo: number, withFeatures: boolean, shadow = false) => {
      const end = NOW - hoursAgo * HOUR;
      const patch = withFeatures ? { features: { x: { kind: 'numeric' as const, ...bins(4, runs) } } } : {};
      const shadowPatch = shadow ? { shadow: { counters: { runs, items: runs, agreed: runs, errors: 0, dropped: 0 }, absDiff: bins(9, runs), activeLatencyMs: bins(17, runs), candidateLatencyMs: bins(17, runs) } } : {};
      const report = fixtureReport(runs, { model: 'rm', modelVersion: version, window: { start: end - 1000, end }, ...patch, ...shadowPatch } as never);
      await writeAdditions(db, [checkReport(report, 'reads', withFeatures ? { baseline, layout } : undefined, OFF, NOW)], NOW);
    };
    await write('1', 2, 2, true, true);
    await rollUp(db, 10);
    await write('1', 3, 1, true);
    await write('1', 4, 0, false, true);
    await write('2', 5, 0, false);
  }, 60_000);
  afterAll(() => db?.close());

  it('readVersions: every model version with its reports, rolled up and pending alike', async () => {
    expect(await readVersions(db, 'reads')).toEqual([
      { model: 'rm', version: '1', reports: 3 },
      { model: 'rm', version: '2', reports: 1 },
    ]);
    expect(await readVersions(db, 'nobody')).toEqual([]);
  });

  it('readWindows: oldest first, limited to [from, to)', async () => {
    expect((await readWindows(db, 'reads', 'rm', '1')).map((w) => [w.start, w.runs])).toEqual([
      [cell(2), 2],
      [cell(1), 3],
      [cell(0), 4],
    ]);
    expect((await readWindows(db, 'reads', 'rm', '1', { from: cell(1), to: cell(0) })).map((w) => w.runs)).toEqual([3]);
    expect((await readWindows(db, 'reads', 'rm', '1', { from: cell(1) })).map((w) => w.runs)).toEqual([3, 4]);
  });

  it('readTotals: fixed series always, feature series only under the layout asked for', async () => {
    const withLayout = await readTotals(db, 'reads', 'rm', '1', layout.hash);
    expect(Object.fromEntries(withLayout.get('backends')!)).toEqual({ wasm: 9 });
    expect(Object.fromEntries(withLayout.get('feature:x')!)).toEqual({ '0': 5 });
    const without = await readTotals(db, 'reads', 'rm', '1', undefined);
    expect(without.has('feature:x')).toBe(false);
    expect(Object.fromEntries(without.get('backends')!)).toEqual({ wasm: 9 });
    expect(Object.fromEntries((await readTotals(db, 'reads', 'rm', '1', layout.hash, { to: cell(1) })).get('backends')!)).toEqual({ wasm: 2 });
  });

  it('per window: features, all series, or named series, for the windows asked', async () => {
    expect(await readFeaturesPerWindow(db, 'reads', 'rm', '1', layout.hash, [])).toEqual(new Map());
    const features = await readFeaturesPerWindow(db, 'reads', 'rm', '1', layout.hash, [cell(2), cell(0)]);
    expect([...features.keys()].map(Number)).toEqual([cell(2)]);
    expect([...features.get(cell(2))!.keys()]).toEqual(['feature:x']);
    expect(await readCountsPerWindow(db, 'reads', 'rm', '1', layout.hash, [])).toEqual(new Map());
    const all = await readCountsPerWindow(db, 'reads', 'rm', '1', layout.hash, [cell(1), cell(0)]);
    expect([...all.keys()].map(Number).sort()).toEqual([cell(1), cell(0)]);
    expect(Object.fromEntries(all.get(cell(1))!.get('feature:x')!)).toEqual({ '0': 3 });
    expect(all.get(cell(0))!.has('feature:x')).toBe(false);
    const shadow = await readSeriesPerWindow(db, 'reads', 'rm', '1', ['shadow']);
    expect([...shadow.keys()]).toEqual([cell(2), cell(0)]);
    expect(Object.fromEntries(shadow.get(cell(0))!.get('shadow')!)).toEqual({ runs: 4, items: 4, agreed: 4 }); // zero counts are not stored
    expect([...(await readSeriesPerWindow(db, 'reads', 'rm', '1', ['shadow'], { from: cell(1) })).keys()]).toEqual([cell(0)]);
  });
});
