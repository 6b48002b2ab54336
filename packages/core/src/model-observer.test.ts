import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession } from './engine.js';
import { disabledObserver } from './disabled-observer.js';
import { doublingSession } from './doubling-session.fixture.js';
import { LocalModel } from './model.js';
import { SuspiciousInputError } from './errors.js';
import type { Inspection, ModelObserver } from './monitoring.js';
import { runIdOf } from './run-id.js';
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
const open = (monitor: ModelObserver | false | undefined, resume?: Parameters<typeof LocalModel.open>[2]['resume']) =>
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
  it('inspects a run before it and records it with that inspection; the id record returns rides on the outputs', async () => {
    const inspection: Inspection = { values: new Map([['x', [3]]]) };
    const seen: unknown[] = [];
    const { observer, calls } = recording({
      inspect: (inputs) => (calls.push(['inspect', inputs.x!.data[0]]), inspection),
      record: (given, outputs, ms, backend) => (calls.push(['record', outputs.y!.data[0], backend]), seen.push(given, ms), 'minted-1'),
    });
    const model = await open(observer);
    const outputs = await model.run(x(3));
    expect(calls).toEqual([['inspect', 3], ['record', 6, 'wasm']]);
    expect(seen[0]).toBe(inspection);
    expect(seen[1]).toBeGreaterThanOrEqual(0);
    expect(runIdOf(outputs)).toBe('minted-1');
  });

  it('with monitor: false nothing is inspected or recorded, and no id rides on the outputs', async () => {
    const model = await open(false);
    const outputs = await model.run(x(2));
    expect(outputs.y!.data[0]).toBe(4);
    expect(runIdOf(outputs)).toBeUndefined();
  });

  it('a suspicious input is refused before the engine runs when the observer rejects (and counted), run and recorded when it only counts', async () => {
    const suspicious: Inspection['suspicious'] = { feature: 'x', value: 99, allowed: [0, 10] };
    const strict = recording({ rejects: true, inspect: () => ({ values: new Map(), suspicious }), count: (counter) => void strict.calls.push(['count', counter]) });
    const error = await (await open(strict.observer)).run(x(99)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuspiciousInputError);
    expect((error as Error).message).toBe('Input rejected by the monitor: feature "x" is 99; the baseline allows [0, 10].');
    expect(strict.calls).toEqual([['count', 'rejected']]);
    const lenient = recording({ inspect: () => ({ values: new Map(), suspicious: { ...suspicious, allowed: 'finite' } }) });
    expect((await (await open(lenient.observer)).run(x(99))).y!.data[0]).toBe(198);
    expect(lenient.calls).toEqual([['record', 198, 'wasm', undefined]]);
  });
});
