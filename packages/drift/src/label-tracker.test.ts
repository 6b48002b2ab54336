import { describe, expect, it } from 'vitest';
import { CONFIDENCE_EDGES } from '@edgewise/wire';
import { correctTotal, countLabel, emptyLabelCounts, hasPredictions, labeledTotal, PendingPredictions, predictionsOf } from './label-tracker.js';

const p = (predicted: number) => [{ predicted, confidence: 0.9 }];

describe('PendingPredictions: caller-named runs', () => {
  it('gives a prediction once, to its id only; a reused id names the latest run', () => {
    const pending = new PendingPredictions(1000, 10);
    pending.remember('a', p(1), 0);
    pending.remember('b', p(2), 0);
    pending.remember('a', p(3), 1);
    expect(pending.take('a', 2)).toEqual(p(3));
    expect(pending.take('a', 2)).toBeUndefined();
    expect(pending.take('b', 2)).toEqual(p(2));
    expect(pending.take('never', 2)).toBeUndefined();
    expect(pending.expired).toBe(0);
  });

  it('pushes out the oldest beyond maxPending and ages out those older than maxAgeMs, counting each once', () => {
    const pending = new PendingPredictions(100, 3);
    for (let i = 0; i < 5; i++) pending.remember(`r${i}`, p(i), i);
    expect(pending.take('r0', 5)).toBeUndefined();
    expect(pending.take('r1', 5)).toBeUndefined();
    expect(pending.expired).toBe(2);
    expect(pending.take('r2', 5)).toEqual(p(2));
    expect(pending.take('r3', 104)).toBeUndefined(); // remembered at 3: over 100 ms old
    expect(pending.take('r4', 104)).toEqual(p(4));
    expect(pending.expired).toBe(3);
  });

  it('does not count a reused or taken id as expired when its old place in the order passes', () => {
    const pending = new PendingPredictions(100, 2);
    pending.remember('a', p(1), 0);
    pending.remember('a', p(2), 50);
    pending.remember('b', p(3), 60);
    expect(pending.take('b', 60)).toEqual(p(3));
    expect(pending.take('a', 120)).toEqual(p(2)); // the first 'a' (at 0) aged out; the second had not
    pending.remember('c', p(4), 300); // ages out everything before it: nothing still waiting
    expect(pending.expired).toBe(0);
  });

  it('keeps its order compact over many runs (bounded by what waits, not by what ever ran)', () => {
    const pending = new PendingPredictions(1e9, 100);
    for (let i = 0; i < 50_000; i++) pending.remember(`r${i}`, p(i % 10), i);
    expect((pending as unknown as { order: unknown[] }).order.length).toBeLessThan(3000);
    expect(pending.take('r49999', 50_000)).toEqual(p(9));
    expect(pending.take('r49899', 50_000)).toBeUndefined();
    expect(pending.expired).toBe(49_900);
  });
});

describe('PendingPredictions: minted ids', () => {
  it('mints distinct short ids that label their own run once', () => {
    const pending = new PendingPredictions(1000, 10);
    const ids = [0, 1, 2].map((i) => pending.rememberMinted(p(i), 0));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{1,6}\.[0-9a-z]+$/);
    expect(pending.take(ids[1]!, 1)).toEqual(p(1));
    expect(pending.take(ids[1]!, 1)).toBeUndefined();
    expect(pending.take(ids[0]!, 1)).toEqual(p(0));
  });

  it('forgets a minted run maxPending mints later or maxAgeMs after, without counting it expired', () => {
    const pending = new PendingPredictions(100, 4);
    const ids = Array.from({ length: 6 }, (_, i) => pending.rememberMinted(p(i), i * 10));
    expect(pending.take(ids[0]!, 60)).toBeUndefined(); // its slot holds the fifth mint now
    expect(pending.take(ids[1]!, 60)).toBeUndefined();
    expect(pending.take(ids[2]!, 60)).toEqual(p(2));
    expect(pending.take(ids[3]!, 131)).toBeUndefined(); // minted at 30
    expect(pending.take(ids[5]!, 131)).toEqual(p(5));
    expect(pending.expired).toBe(0);
  });

  it('keeps every row of a batched run under its minted id', () => {
    const pending = new PendingPredictions(1000, 4);
    const rows = [
      { predicted: 3, confidence: 0.5 },
      { predicted: 7, confidence: 0.25 },
      { predicted: 1, confidence: 0.125 },
    ];
    const id = pending.rememberMinted(rows, 0);
    pending.rememberMinted(p(9), 0); // the next run in the ring leaves it alone
    expect(pending.take(id, 1)).toEqual(rows);
  });

  it("refuses another tracker's minted ids and named ids shaped like minted ones", () => {
    const a = new PendingPredictions();
    const b = new PendingPredictions();
    const id = a.rememberMinted(p(1), 0);
    expect(b.take(id, 0)).toBeUndefined();
    expect(a.take(`${id}x`, 0)).toBeUndefined();
    b.remember(id, p(7), 0); // a caller may pass any string: named ids win
    expect(b.take(id, 0)).toEqual(p(7));
    expect(a.take(id, 0)).toEqual(p(1));
  });

  it("another model's minted id never labels this model's run of the same count (two models in one page)", () => {
    const a = new PendingPredictions();
    const b = new PendingPredictions();
    const aId = a.rememberMinted(p(1), 0);
    const bId = b.rememberMinted(p(2), 0);
    expect(aId.split('.')[1]).toBe(bId.split('.')[1]); // the same count, under another prefix
    expect(b.take(aId, 0)).toBeUndefined();
    expect(b.unfilled(aId)).toBe(false);
    expect(b.take(bId, 0)).toEqual(p(2));
  });

  it('filling a run whose slot a later mint has taken leaves the later run alone', () => {
    const pending = new PendingPredictions(1000, 2);
    const first = pending.mint(0);
    pending.mint(0);
    const third = pending.mint(0); // the ring holds 2: it takes the first one's slot
    pending.fill(first, p(4));
    expect(pending.unfilled(pending.idOf(third))).toBe(true);
    expect(pending.take(pending.idOf(third), 0)).toBeUndefined(); // still waiting for its own predictions
    pending.fill(third, p(5));
    expect(pending.take(pending.idOf(third), 0)).toEqual(p(5));
    expect(pending.take(pending.idOf(first), 0)).toBeUndefined();
  });
});

describe('predictionsOf', () => {
  it('takes the top class and its score per batch row', () => {
    expect(predictionsOf({ data: new Float32Array([0.1, 0.7, 0.2, 0.5, 0.4, 0.1]), dims: [2, 3] })).toEqual([
      { predicted: 1, confidence: expect.closeTo(0.7, 6) },
      { predicted: 0, confidence: 0.5 },
    ]);
    expect(predictionsOf({ data: new Float32Array([0.3]), dims: [1, 1] })).toEqual([]);
  });

  it("reads each row's own scores only: a larger score just past the row belongs to the next row", () => {
    expect(predictionsOf({ data: Float32Array.of(0.1, 0.2, 0.9, 0.05), dims: [2, 2] })).toEqual([
      { predicted: 1, confidence: expect.closeTo(0.2, 6) },
      { predicted: 0, confidence: expect.closeTo(0.9, 6) },
    ]);
  });
});

describe('countLabel and the label totals', () => {
  it('counts the confusion cell, and labelled/correct per confidence bin; a NaN confidence in nan', () => {
    const counts = emptyLabelCounts();
    expect(counts.labeled.counts).toHaveLength(CONFIDENCE_EDGES.length + 1);
    countLabel(counts, 1, { predicted: 1, confidence: 0.97 });
    countLabel(counts, 0, { predicted: 1, confidence: 0.97 });
    countLabel(counts, 2, { predicted: 2, confidence: 0.05 });
    countLabel(counts, 3, { predicted: 3, confidence: Number.NaN });
    countLabel(counts, 3, { predicted: 4, confidence: Number.NaN });
    expect(counts.confusion).toEqual({ '1:1': 1, '0:1': 1, '2:2': 1, '3:3': 1, '3:4': 1 });
    const top = CONFIDENCE_EDGES.length; // 0.97 > 0.95, the last edge
    expect(counts.labeled.counts[top]).toBe(2);
    expect(counts.correct.counts[top]).toBe(1);
    expect(counts.labeled.counts[0]).toBe(1); // 0.05 closes the first bin
    expect(counts.correct.counts[0]).toBe(1);
    expect([counts.labeled.nan, counts.correct.nan]).toEqual([2, 1]);
    expect([labeledTotal(counts), correctTotal(counts)]).toEqual([5, 3]);
  });

  it('a NaN confidence counts as correct only when the label matches (two right, one wrong)', () => {
    const counts = emptyLabelCounts();
    for (const [label, predicted] of [[1, 1], [2, 2], [3, 0]] as const) countLabel(counts, label, { predicted, confidence: Number.NaN });
    expect([counts.labeled.nan, counts.correct.nan]).toEqual([3, 2]);
  });
});

describe('predictionsOf / hasPredictions on odd shapes', () => {
  it('no tensor, a scalar, or one score per row: no prediction', () => {
    // An empty batch ([0, classes]) is no prediction either: no id is minted for it.
    for (const t of [undefined, { data: Float32Array.of(1), dims: [] }, { data: Float32Array.of(1, 2), dims: [2, 1] }, { data: new Float32Array(0), dims: [0, 10] }]) {
      expect(predictionsOf(t)).toEqual([]);
      expect(hasPredictions(t)).toBe(false);
    }
  });
  it('a rank-1 tensor is one row; ties go to the first class; int64 scores are read as numbers', () => {
    expect(predictionsOf({ data: Float32Array.of(0.5, 0.5, 0.1), dims: [3] })).toEqual([{ predicted: 0, confidence: 0.5 }]);
    expect(predictionsOf({ data: BigInt64Array.of(1n, 9n, 3n, 4n), dims: [2, 2] })).toEqual([
      { predicted: 1, confidence: 9 },
      { predicted: 1, confidence: 4 },
    ]);
    expect(hasPredictions({ data: Float32Array.of(0.5, 0.5), dims: [1, 2] })).toBe(true);
  });
});

describe('PendingPredictions: options and age', () => {
  it.each([0, -5, Number.NaN])('maxAgeMs %s is a RangeError', (maxAgeMs) => {
    expect(() => new PendingPredictions(maxAgeMs)).toThrow(new RangeError(`monitor.labels.maxAgeMs must be a positive number of ms; received ${maxAgeMs}.`));
  });
  it.each([0, 2.5])('maxPending %s is a RangeError', (maxPending) => {
    expect(() => new PendingPredictions(1000, maxPending)).toThrow(new RangeError(`monitor.labels.maxPending must be an integer ≥ 1; received ${maxPending}.`));
  });
  it('a prediction exactly maxAgeMs old is still labelled; a millisecond later it is not (named and minted alike)', () => {
    const p = new PendingPredictions(1000, 10);
    const prediction = [{ predicted: 1, confidence: 0.9 }];
    p.remember('a', prediction, 0);
    p.remember('b', prediction, 0);
    const m1 = p.rememberMinted(prediction, 0);
    const m2 = p.rememberMinted(prediction, 0);
    expect(p.take('a', 1000)).toEqual(prediction);
    expect(p.take(m1, 1000)).toEqual(prediction);
    expect(p.take('b', 1001)).toBeUndefined();
    expect(p.take(m2, 1001)).toBeUndefined();
  });
  it('a minted id with nothing after its prefix, or a count of 0, is unknown', () => {
    const p = new PendingPredictions();
    const id = p.rememberMinted([{ predicted: 0, confidence: 1 }], 0);
    const prefix = id.slice(0, id.indexOf('.') + 1);
    expect(p.take(prefix, 0)).toBeUndefined();
    expect(p.take(`${prefix}0`, 0)).toBeUndefined();
    expect(p.take(`${prefix}-1`, 0)).toBeUndefined();
    expect(p.take(id, 0)).toEqual([{ predicted: 0, confidence: 1 }]);
  });
  it('a batched minted run keeps its single-row form for batch-1 (no rest) and every row for more', () => {
    const p = new PendingPredictions();
    const one = p.rememberMinted([{ predicted: 2, confidence: 0.4 }], 0);
    const two = p.rememberMinted([{ predicted: 2, confidence: 0.4 }, { predicted: 1, confidence: 0.6 }], 0);
    expect(p.take(one, 0)).toEqual([{ predicted: 2, confidence: 0.4 }]);
    expect(p.take(two, 0)).toEqual([{ predicted: 2, confidence: 0.4 }, { predicted: 1, confidence: 0.6 }]);
  });
});
