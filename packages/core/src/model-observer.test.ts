import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession } from './engine.js';
import { disabledObserver } from './disabled-observer.js';
import { doublingSession } from './doubling-session.fixture.js';
import { LocalModel } from './model.js';
import type { ModelObserver } from './monitoring.js';
import { tensor } from './tensor.js';

/**
 * What LocalModel hands its observer (the drift monitor in production), checked with a recording
 * observer: each call, its arguments and its order relative to runs. The monitor itself is tested
 * in @edgewise/drift.
 */
const engine: Engine = {
  name: 'scripted',
  backends: ['wasm'],
  companionFiles: () => [],
  async createSession(_a, backend: BackendName): Promise<EngineSession> {
    return doublingSession(backend);
  },
};
function recording(overrides: Partial<ModelObserver> = {}) {
  const calls: unknown[][] = [];
  const base = disabledObserver();
  const observer: ModelObserver = {
    ...base,
    record: (_i, outputs, _ms, backend, runId) => void calls.push(['record', outputs.y!.data[0], backend, runId]),
    feedback: (runId, label) => (calls.push(['feedback', runId, label]), runId === 'known'),
    drift: () => (calls.push(['drift']), undefined),
    snapshot: () => (calls.push(['snapshot']), new Uint8Array([7])),
    aggregates: () => (calls.push(['aggregates']), base.aggregates()),
    takeWindows: (includeOpen) => (calls.push(['takeWindows', includeOpen]), []),
    reset: () => void calls.push(['reset']),
    restore: (s) => void calls.push(['restore', [...s]]),
    ...overrides,
  };
  return { observer, calls };
}
const open = (monitor: ModelObserver | undefined, resume?: Parameters<typeof LocalModel.open>[2]['resume']) =>
  LocalModel.open(engine, { entry: 'm', files: { m: new Uint8Array(1) } }, { backends: ['wasm'], session: {}, validation: {}, monitor, resume });
const x = (v: number) => ({ x: tensor('float32', [v], [1]) });

describe('LocalModel and its observer', () => {
  it('records each run with its run id; feedback is queued behind the runs and its answer returned', async () => {
    const { observer, calls } = recording();
    const model = await open(observer);
    const runs = [model.run(x(1), { runId: 'a' }), model.run(x(2))];
    const answer = model.feedback('known', 3);
    await Promise.all(runs);
    expect(await answer).toBe(true);
    expect(await model.feedback('other', [0, 1])).toBe(false);
    expect(calls).toEqual([
      ['record', 2, 'wasm', 'a'],
      ['record', 4, 'wasm', undefined],
      ['feedback', 'known', 3],
      ['feedback', 'other', [0, 1]],
    ]);
  });

  it('refuses a bad run id in run() and feedback() before anything runs', async () => {
    const { observer, calls } = recording();
    const model = await open(observer);
    await expect(model.run(x(1), { runId: '' })).rejects.toThrow(new TypeError('run(): "runId" must be a string of 1 to 64 characters; received 0 characters.'));
    await expect(model.feedback(5 as never, 1)).rejects.toThrow(new TypeError('feedback(): "runId" must be a string of 1 to 64 characters; received number.'));
    expect(calls).toEqual([]);
  });

  it('snapshot, aggregates and windows: reset only when asked, open windows only when asked', async () => {
    const { observer, calls } = recording();
    const model = await open(observer);
    expect([...(await model.snapshot())]).toEqual([7]);
    await model.snapshot({ reset: true });
    await model.aggregates();
    await model.aggregates({ reset: true });
    await model.takeWindows();
    await model.takeWindows({ includeOpen: true });
    expect(calls).toEqual([['snapshot'], ['snapshot'], ['reset'], ['aggregates'], ['aggregates'], ['reset'], ['takeWindows', false], ['takeWindows', true]]);
  });

  it('drift() without a baseline is E_NO_BASELINE; with one, the report', async () => {
    await expect((await open(recording().observer)).drift()).rejects.toMatchObject({ code: 'E_NO_BASELINE' });
    const report = { drifted: false } as never;
    expect(await (await open(recording({ drift: () => report }).observer)).drift()).toBe(report);
  });

  it('a resumed model restores the snapshot and adds the carried counters (through addCounters when the observer has it)', async () => {
    const { observer, calls } = recording();
    await open(observer, { snapshot: new Uint8Array([1, 2]), counters: { runs: 5, errors: 1 } });
    expect(calls).toEqual([['restore', [1, 2]]]);
    expect(observer.counters).toMatchObject({ runs: 5, errors: 1, rejected: 0, fallbacks: 0 });
    const added: unknown[] = [];
    await open(recording({ addCounters: (c) => void added.push(c) }).observer, { counters: { fallbacks: 2 } });
    expect(added).toEqual([{ fallbacks: 2 }]);
    // Without monitoring the counters still carry over.
    const plain = await open(undefined, { counters: { runs: 3 } });
    expect((await plain.health()).counters.runs).toBe(3);
  });

  it('after dispose, run() is refused with DisposedError', async () => {
    const model = await open(recording().observer);
    await model.dispose();
    await expect(model.run(x(1))).rejects.toMatchObject({ code: 'E_DISPOSED', message: expect.stringContaining('Model') });
  });
});
