import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { AUTO_RUN_ID_MAX_VALUES, WindowedMonitor } from './windowed-monitor.js';

/**
 * Delayed labels on the windowed monitor (fake clock): which runs get an id, what feedback()
 * counts and where (the window the label arrives in), and that the counts survive a snapshot.
 * (Against a real model and collector: test/node/drift-labels.test.ts.)
 */
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const baseline = buildBaseline({ x: Array.from({ length: 200 }, (_, i) => i / 200) });
const features = [{ name: 'x', input: 'input', reduce: 'value' as const }];

function setup(options: object = {}) {
  const clock = { now: T0 + 60_000 };
  const monitor = new WindowedMonitor({ baseline, features, ...options }, () => clock.now);
  /** One run whose rows score `rows` (each a vector of class scores); returns record()'s id. */
  const run = (rows: number[][], runId?: string) => {
    const inputs = { input: { data: Float32Array.from(rows.map(() => 0.5)), dims: [rows.length, 1] } };
    const out = { data: Float32Array.from(rows.flat()), dims: [rows.length, rows[0]!.length] };
    return monitor.record(monitor.inspect(inputs), { out }, 2, 'wasm', runId);
  };
  return { clock, monitor, run };
}

describe('WindowedMonitor: delayed labels', () => {
  it('a classifier run gets a minted id; feedback counts right and wrong labels once each', () => {
    const { monitor, run } = setup();
    const a = run([[0.1, 0.9]])!;
    const b = run([[0.7, 0.3]])!;
    expect(a).toMatch(/./);
    expect(b).not.toBe(a);
    expect(monitor.feedback(a, 1)).toBe(true);
    expect(monitor.feedback(b, 1)).toBe(true);
    expect(monitor.feedback(a, 1)).toBe(false); // used up
    expect(monitor.feedback('nobody', 0)).toBe(false);
    expect(monitor.accuracy()).toEqual({ labeled: 2, correct: 1, expired: 0, window: { labeled: 2, correct: 1 } });
    expect(monitor.aggregates().body.labels!.confusion).toEqual({ '1:1': 1, '1:0': 1 });
    expect(monitor.report().accuracy).toMatchObject({ labeled: 2, correct: 1 });
  });

  it('a batched run takes one label per row; an undefined row is skipped', () => {
    const { monitor, run } = setup();
    const id = run([
      [0.9, 0.1],
      [0.2, 0.8],
      [0.4, 0.6],
    ])!;
    expect(monitor.feedback(id, [0, 0, undefined as unknown as number])).toBe(true);
    expect(monitor.aggregates().body.labels!.confusion).toEqual({ '0:0': 1, '0:1': 1 });
    expect(monitor.accuracy()).toMatchObject({ labeled: 2, correct: 1 });
  });

  it("the caller's run id is kept as given (and returned), also when autoRunIds is off", () => {
    const { monitor, run } = setup({ labels: { autoRunIds: false } });
    expect(run([[0.2, 0.8]])).toBeUndefined();
    expect(run([[0.2, 0.8]], 'order-17')).toBe('order-17');
    expect(monitor.feedback('order-17', 0)).toBe(true);
    expect(monitor.aggregates().body.labels!.confusion).toEqual({ '0:1': 1 });
  });

  it(`an output over ${AUTO_RUN_ID_MAX_VALUES} values gets no minted id, but a named one still counts`, () => {
    const { monitor, run } = setup();
    const wide = [Array.from({ length: AUTO_RUN_ID_MAX_VALUES + 1 }, (_, i) => (i === 3 ? 1 : 0))];
    expect(run(wide)).toBeUndefined();
    expect(run(wide, 'big')).toBe('big');
    expect(monitor.feedback('big', 3)).toBe(true);
    expect(monitor.aggregates().body.labels!.confusion).toEqual({ '3:3': 1 });
    // Exactly the limit still gets one.
    expect(run([Array.from({ length: AUTO_RUN_ID_MAX_VALUES }, () => 0.5)])).toMatch(/./);
  });

  it('no label, no accuracy: the report leaves it out and the aggregates carry no labels section', () => {
    const { monitor, run } = setup();
    run([[0.2, 0.8]]);
    expect(monitor.report().accuracy).toBeUndefined();
    expect(monitor.report().shadow).toBeUndefined(); // nor a shadow section without a shadow candidate
    expect(monitor.aggregates().body.labels).toBeUndefined();
  });

  it("with onSuspicious 'reject' (runs inspected before they run, not deferred) ids work the same", () => {
    const { monitor, run } = setup({ onSuspicious: 'reject' });
    const minted = run([[0.1, 0.9]]);
    expect(minted).toMatch(/\./);
    expect(run([[0.7, 0.3]], 'named')).toBe('named');
    expect(run([[0.5]])).toBeUndefined(); // one score per row: no classifier, no id
    expect([monitor.feedback(minted!, 1), monitor.feedback('named', 1)]).toEqual([true, true]);
    expect(monitor.accuracy()).toMatchObject({ labeled: 2, correct: 1 });
    const off = setup({ onSuspicious: 'reject', labels: { autoRunIds: false } });
    expect(off.run([[0.1, 0.9]])).toBeUndefined();
  });

  it('a named run with no prediction (not a classifier) takes no label', () => {
    const { monitor, run } = setup();
    expect(run([[0.5]], 'regression')).toBe('regression');
    expect(monitor.feedback('regression', 1)).toBe(false);
    expect(monitor.accuracy()).toMatchObject({ labeled: 0 });
  });

  it('a label counts in the window it arrives in; that window is reported even with no run in it', () => {
    const { clock, monitor, run } = setup();
    const id = run([[0.2, 0.8]])!;
    clock.now = T0 + HOUR + 5;
    expect(monitor.feedback(id, 1)).toBe(true);
    expect(monitor.accuracy()).toEqual({ labeled: 1, correct: 1, expired: 0, window: { labeled: 1, correct: 1 } });
    clock.now = T0 + 2 * HOUR + 5;
    expect(monitor.accuracy().window).toEqual({ labeled: 0, correct: 0 });
    const windows = monitor.takeWindows(false);
    expect(windows.map((w) => [w.window.start, w.body.counters.runs, w.body.labels?.confusion])).toEqual([
      [T0, 1, undefined],
      [T0 + HOUR, 0, { '1:1': 1 }],
    ]);
    // The report still shows the cumulative accuracy in a window with no label.
    expect(monitor.report().accuracy).toMatchObject({ labeled: 1, window: { labeled: 0 } });
  });

  it('labels survive a snapshot: cumulative and open-window counts both, and are not counted twice', () => {
    const { clock, monitor, run } = setup();
    const old = run([[0.2, 0.8]])!;
    monitor.feedback(old, 0);
    clock.now = T0 + HOUR + 5;
    const now = run([[0.6, 0.4]])!;
    monitor.feedback(now, 0);
    const copy = new WindowedMonitor({ baseline, features }, () => clock.now);
    copy.restore(monitor.snapshot());
    expect(copy.accuracy()).toEqual({ labeled: 2, correct: 1, expired: 0, window: { labeled: 1, correct: 1 } });
    expect(copy.aggregates().body.labels!.confusion).toEqual({ '0:1': 1, '0:0': 1 });
    const open = copy.takeWindows(true).find((w) => w.window.start === T0 + HOUR)!;
    expect(open.body.labels!.confusion).toEqual({ '0:0': 1 });
  });

  it('a snapshot restored after its window closed sends that window, labels included, to the uplink', () => {
    const { clock, monitor, run } = setup();
    monitor.feedback(run([[0.2, 0.8]])!, 1);
    const bytes = monitor.snapshot();
    clock.now = T0 + HOUR + 5;
    const later = new WindowedMonitor({ baseline, features }, () => clock.now);
    later.restore(bytes);
    expect(later.accuracy()).toEqual({ labeled: 1, correct: 1, expired: 0, window: { labeled: 0, correct: 0 } });
    expect(later.takeWindows(false).map((w) => [w.window.start, w.body.counters.runs, w.body.labels?.confusion])).toEqual([[T0, 1, { '1:1': 1 }]]);
  });
});

describe('WindowedMonitor: options and counters', () => {
  it.each([0, 1.5, -1])('maxClosedWindows %s is a RangeError', (max) => {
    expect(() => new WindowedMonitor({ maxClosedWindows: max })).toThrow(new RangeError(`monitor.maxClosedWindows must be an integer ≥ 1; received ${max}.`));
  });

  it('counters add the windows before the open one to it, every counter', () => {
    const { clock, monitor, run } = setup();
    run([[0.2, 0.8]]);
    monitor.count('errors');
    monitor.count('rejected');
    monitor.count('fallbacks');
    clock.now = T0 + HOUR + 5;
    run([[0.2, 0.8]]);
    monitor.count('rejected');
    monitor.count('fallbacks');
    monitor.count('fallbacks');
    expect(monitor.counters).toEqual({ runs: 2, errors: 1, rejected: 2, fallbacks: 3 });
    monitor.addCounters({ runs: 5, errors: 1 });
    expect(monitor.counters).toEqual({ runs: 7, errors: 2, rejected: 2, fallbacks: 3 });
    expect(monitor.openWindow).toEqual({ start: T0 + HOUR, end: T0 + 2 * HOUR });
  });

  it('a window closes at its end exactly, not a millisecond later', () => {
    const { clock, monitor, run } = setup();
    run([[0.2, 0.8]]);
    clock.now = T0 + HOUR;
    monitor.count('errors');
    expect(monitor.openWindow.start).toBe(T0 + HOUR);
    expect(monitor.takeWindows(false).map((w) => w.window.start)).toEqual([T0]);
  });

  it('no baseline: no drift report', () => {
    const monitor = new WindowedMonitor({}, () => T0);
    expect(monitor.drift()).toBeUndefined();
  });
});
