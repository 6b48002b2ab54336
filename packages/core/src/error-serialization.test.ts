import { describe, expect, it } from 'vitest';
import { deserializeError, serializeError } from './error-serialization.js';
import { AllBackendsFailedError, BackendError, EngineWedgedError, InputError, WorkerCrashedError } from './errors.js';

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
  it('restores every Edgewise class it knows', () => {
    expect(roundTrip(new EngineWedgedError('webgpu', 'wedged'))).toBeInstanceOf(EngineWedgedError);
    expect(roundTrip(new WorkerCrashedError('gone'))).toBeInstanceOf(WorkerCrashedError);
  });
  it('turns thrown non-errors into Errors with their text', () => {
    expect(roundTrip('plain string').message).toBe('plain string');
    expect(roundTrip(new RangeError('r'))).toBeInstanceOf(RangeError);
  });
});
