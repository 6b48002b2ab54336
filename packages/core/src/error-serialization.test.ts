import { describe, expect, it } from 'vitest';
import { deserializeError, serializeError } from './error-serialization.js';
import * as errors from './errors.js';
import { AllBackendsFailedError, BackendError, EngineWedgedError, InputError, WorkerCrashedError, type EdgewiseError, type EdgewiseErrorCode } from './errors.js';

/** structuredClone is what postMessage does; round-tripping through it proves nothing is lost. */
const roundTrip = (e: unknown) => deserializeError(structuredClone(serializeError(e)));

describe('error serialization across the worker boundary', () => {
  it('keeps class, code, fields, message and cause chain', () => {
    const original = new BackendError('webgpu', 'device lost', { cause: new TypeError('inner') });
    const copy = roundTrip(original) as BackendError;
    expect(copy).toBeInstanceOf(BackendError);
    expect(copy.code).toBe('E_BACKEND');
    expect(copy.backend).toBe('webgpu');
    expect(copy.message).toBe(original.message);
    expect(copy.cause).toBeInstanceOf(TypeError);
    expect((copy.cause as Error).message).toBe('inner');
  });
  it('keeps InputError fields and AllBackendsFailedError attempts', () => {
    const input = roundTrip(new InputError('x', 'NaN at flat index 2', 'finite numbers')) as InputError;
    expect(input).toBeInstanceOf(InputError);
    expect([input.input, input.received, input.expected]).toEqual(['x', 'NaN at flat index 2', 'finite numbers']);
    const all = roundTrip(new AllBackendsFailedError([{ backend: 'webgl', outcome: 'failed', phase: 'load', reason: 'no ArgMax' }]));
    expect(all).toBeInstanceOf(AllBackendsFailedError);
    expect((all as AllBackendsFailedError).attempts[0]!.reason).toBe('no ArgMax');
  });
  /** One instance of every error class core exports, with fields set to non-default values. */
  const everyClass: EdgewiseError[] = [
    new errors.InputError('image', 'dtype int32', 'dtype float32', { cause: new Error('inner') }),
    new errors.SuspiciousInputError('ink', 9.5, '[0, 1]'),
    new errors.NoBaselineError(),
    new errors.ModelFormatError('not ONNX'),
    new errors.ModelSourceError('HTTP 404 for /m.onnx'),
    new errors.BackendError('webgpu', 'device lost', { failure: 'device-lost' }),
    new errors.AllBackendsFailedError([{ backend: 'webgl', outcome: 'failed', phase: 'run', reason: 'no ArgMax' }]),
    new errors.UnknownEngineError('onnx', ['tfjs']),
    new errors.EngineWedgedError('webgpu', 'wedged'),
    new errors.WorkerCrashedError('no answer in 60 s', { hung: true }),
    new errors.DisposedError('Model'),
  ];

  it('covers every error class core exports', () => {
    const exported = Object.values(errors).filter((v) => typeof v === 'function' && v.prototype instanceof errors.EdgewiseError);
    expect(new Set(everyClass.map((e) => e.constructor))).toEqual(new Set(exported));
    const codes = new Set(everyClass.map((e) => e.code));
    expect(codes.size).toBe(everyClass.length); // one class per code
  });

  for (const original of everyClass) {
    it(`restores ${original.name} with its class, code, recovery, message and fields`, () => {
      const copy = roundTrip(original) as EdgewiseError;
      expect(copy).toBeInstanceOf(original.constructor);
      expect(copy.name).toBe(original.name);
      expect(copy.code).toBe(original.code satisfies EdgewiseErrorCode);
      expect(copy.recovery).toBe(original.recovery);
      expect(copy.message).toBe(original.message);
      expect({ ...copy }).toEqual({ ...original });
      if (original.cause) expect((copy.cause as Error).message).toBe((original.cause as Error).message);
    });
  }

  it('keeps a backend failure and a hang flag, which decide what the model does next', () => {
    expect((roundTrip(new BackendError('webgl', 'oom', { failure: 'out-of-memory' })) as BackendError).failure).toBe('out-of-memory');
    expect((roundTrip(new WorkerCrashedError('hung', { hung: true })) as WorkerCrashedError).hung).toBe(true);
    // Whether the call was the one the worker died in: a canary guard counts only those.
    expect(roundTrip(new WorkerCrashedError('gone'))).toMatchObject({ hung: false, culprit: true });
    expect(roundTrip(new WorkerCrashedError('gone', { culprit: false }))).toMatchObject({ hung: false, culprit: false });
    expect(roundTrip(new EngineWedgedError('webgpu', 'wedged'))).toBeInstanceOf(EngineWedgedError);
  });
  it('turns thrown non-errors into Errors with their text', () => {
    expect(roundTrip('plain string').message).toBe('plain string');
    expect(roundTrip(new RangeError('r'))).toBeInstanceOf(RangeError);
  });

  it('keeps the cause of every class that takes one', () => {
    const cause = new Error('root');
    for (const original of [
      new errors.ModelFormatError('not ONNX', { cause }),
      new errors.ModelSourceError('HTTP 404', { cause }),
      new errors.BackendError('wasm', 'oom', { cause }),
      new errors.AllBackendsFailedError([], { cause }),
      new errors.WorkerCrashedError('gone', { cause }),
      new errors.EngineWedgedError('webgl', 'wedged', { cause }),
    ]) {
      expect((roundTrip(original).cause as Error | undefined)?.message, original.name).toBe('root');
    }
  });

  it('serializes only data fields: no code, name, message, stack or cause among them, nothing that cannot be cloned', () => {
    const original = Object.assign(new errors.ModelFormatError('x'), { fn: () => 1, obj: { a: 1 }, nil: null, list: [1, 2], n: 3, flag: false });
    const data = serializeError(original);
    expect(data).toMatchObject({ name: 'ModelFormatError', code: 'E_MODEL_FORMAT', message: 'x' });
    expect(data.fields).toEqual({ nil: null, list: [1, 2], n: 3, flag: false });
    expect(() => structuredClone(data)).not.toThrow();
    // A plain error has no code and no fields; one without a cause serializes none.
    expect(serializeError(new Error('plain'))).toEqual({ name: 'Error', message: 'plain', stack: expect.any(String) });
    expect(serializeError('text')).toEqual({ name: 'Error', message: 'text' });
  });

  it('follows causes four levels deep and no further (a cycle ends)', () => {
    let error = new Error('level 6');
    for (let level = 5; level >= 0; level--) error = new Error(`level ${level}`, { cause: error });
    const messages: string[] = [];
    for (let e: Error | undefined = roundTrip(error); e; e = e.cause as Error | undefined) messages.push(e.message);
    expect(messages).toEqual(['level 0', 'level 1', 'level 2', 'level 3', 'level 4']);
    const cyclic = new Error('a');
    (cyclic as { cause?: unknown }).cause = cyclic;
    expect(() => roundTrip(cyclic)).not.toThrow();
  });

  it('restores built-in and unknown errors with their name, message, cause and stack', () => {
    const type = roundTrip(new TypeError('t', { cause: new Error('c') }));
    expect(type).toBeInstanceOf(TypeError);
    expect((type.cause as Error).message).toBe('c');
    const range = roundTrip(new RangeError('r'));
    expect(range).toBeInstanceOf(RangeError);
    expect(range).not.toBeInstanceOf(TypeError);
    const abort = new Error('stopped');
    abort.name = 'AbortError';
    const copy = roundTrip(abort);
    expect([copy.name, copy.message, copy.stack]).toEqual(['AbortError', 'stopped', abort.stack]);
    expect('cause' in copy).toBe(false);
    const future = deserializeError({ name: 'FutureError', code: 'E_FUTURE' as EdgewiseErrorCode, message: 'from a newer worker', cause: { name: 'Error', message: 'why' } });
    expect(future).toBeInstanceOf(errors.EdgewiseError);
    expect(future).toMatchObject({ code: 'E_FUTURE', name: 'FutureError', message: 'from a newer worker', cause: expect.objectContaining({ message: 'why' }) });
    // Without a stack in the data, the rebuilt error keeps its own.
    expect(typeof deserializeError({ name: 'Error', message: 'm' }).stack).toBe('string');
  });
});
