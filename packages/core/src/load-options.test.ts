import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from './engine.js';
import { checkLoadOptions } from './load-options.js';
import { tensor } from './tensor.js';

/** Every malformed loadModel() option, and the exact error that names it (before anything loads). */
const base = { source: 'https://models.example/m.onnx', engine: 'onnx' };
const error = (options: unknown): { type: string; message: string } | 'ok' => {
  try {
    checkLoadOptions(options);
    return 'ok';
  } catch (e) {
    return { type: (e as Error).constructor.name, message: (e as Error).message };
  }
};
const BACKENDS = BACKEND_NAMES.join(', ');

describe('checkLoadOptions', () => {
  it.each([
    [undefined, 'TypeError', 'loadModel(): expected an options object {source, engine, …}; received undefined.'],
    [null, 'TypeError', 'loadModel(): expected an options object {source, engine, …}; received null.'],
    ['m.onnx', 'TypeError', 'loadModel(): expected an options object {source, engine, …}; received string.'],
  ])('refuses %j as the options', (options, type, message) => expect(error(options)).toEqual({ type, message }));

  it('needs exactly one of source and manifest, each of the right kind', () => {
    const exactlyOne = { type: 'TypeError', message: 'loadModel(): give exactly one of "source" (a URL, path, bytes or {entry, files}) and "manifest" (a manifest URL).' };
    expect(error({ engine: 'onnx' })).toEqual(exactlyOne);
    expect(error({ source: null, engine: 'onnx' })).toEqual(exactlyOne);
    expect(error({ ...base, manifest: 'https://x/manifest.json' })).toEqual(exactlyOne);
    expect(error({ manifest: 42 })).toEqual({ type: 'TypeError', message: 'loadModel(): "manifest" must be a URL string; received number.' });
    expect(error({ manifest: 'https://x/manifest.json', version: 2 })).toEqual({ type: 'TypeError', message: `loadModel(): "version" must be a string such as 'latest' or '1.2.0'.` });
    expect(error({ manifest: 'https://x/manifest.json', version: '1.0.0' })).toBe('ok');
    // The engine comes from the manifest when loading by manifest; with a source it is required.
    expect(error({ manifest: 'https://x/manifest.json' })).toBe('ok');
    expect(error({ source: base.source })).toEqual({ type: 'TypeError', message: `loadModel(): "engine" must be a string such as 'onnx' or 'tfjs'; received undefined.` });
    expect(error(base)).toBe('ok');
  });

  it('backends: a non-empty array of known names', () => {
    expect(error({ ...base, backends: [] })).toEqual({ type: 'TypeError', message: `loadModel(): "backends" must be a non-empty array of ${BACKENDS}.` });
    expect(error({ ...base, backends: 'wasm' })).toEqual({ type: 'TypeError', message: `loadModel(): "backends" must be a non-empty array of ${BACKENDS}.` });
    expect(error({ ...base, backends: ['wasm', 'webnn'] })).toEqual({ type: 'RangeError', message: `loadModel(): unknown backend "webnn" in "backends"; allowed: ${BACKENDS}.` });
    expect(error({ ...base, backends: ['webgpu', 'wasm'] })).toBe('ok');
  });

  it('select, probe, probeRuns, worker and numThreads', () => {
    expect(error({ ...base, select: 'best' })).toEqual({ type: 'RangeError', message: `loadModel(): "select" must be 'first' or 'fastest'; received "best".` });
    expect(error({ ...base, select: 'first' })).toBe('ok');
    expect(error({ ...base, select: 'fastest' })).toBe('ok');
    expect(error({ ...base, probe: null })).toEqual({ type: 'TypeError', message: 'loadModel(): "probe" must be named tensors, as run() takes.' });
    expect(error({ ...base, probe: 'x' })).toEqual({ type: 'TypeError', message: 'loadModel(): "probe" must be named tensors, as run() takes.' });
    expect(error({ ...base, probe: { x: tensor('float32', [1], [1]) } })).toBe('ok');
    for (const bad of [0, 1.5, '3']) expect(error({ ...base, probeRuns: bad })).toEqual({ type: 'RangeError', message: `loadModel(): "probeRuns" must be an integer ≥ 1; received ${bad}.` });
    expect(error({ ...base, probeRuns: 1 })).toBe('ok');
    expect(error({ ...base, worker: 'yes' })).toEqual({ type: 'TypeError', message: 'loadModel(): "worker" must be a boolean; received string.' });
    expect(error({ ...base, worker: false })).toBe('ok');
    for (const bad of [0, 2.5, '4']) expect(error({ ...base, numThreads: bad })).toEqual({ type: 'RangeError', message: `loadModel(): "numThreads" must be an integer ≥ 1; received ${bad}.` });
    expect(error({ ...base, numThreads: 1 })).toBe('ok');
  });

  it('recovery: known keys, positive numbers of ms (Infinity allowed)', () => {
    expect(error({ ...base, recovery: null })).toEqual({ type: 'TypeError', message: 'loadModel(): "recovery" must be an object {runTimeoutMs, retryBaseMs, retryMaxMs}.' });
    expect(error({ ...base, recovery: 5 })).toEqual({ type: 'TypeError', message: 'loadModel(): "recovery" must be an object {runTimeoutMs, retryBaseMs, retryMaxMs}.' });
    expect(error({ ...base, recovery: { timeoutMs: 5 } })).toEqual({ type: 'RangeError', message: 'loadModel(): unknown "recovery.timeoutMs"; allowed: runTimeoutMs, firstRunTimeoutMs, retryBaseMs, retryMaxMs.' });
    for (const bad of [0, -1, NaN, '5']) {
      expect(error({ ...base, recovery: { retryBaseMs: bad } })).toEqual({ type: 'RangeError', message: `loadModel(): "recovery.retryBaseMs" must be a positive number of ms (runTimeoutMs may be Infinity); received ${String(bad)}.` });
    }
    expect(error({ ...base, recovery: { runTimeoutMs: Infinity, firstRunTimeoutMs: 1, retryBaseMs: 0.5, retryMaxMs: 10 } })).toBe('ok');
  });

  it('checks shadow and canary options too', () => {
    expect(error({ ...base, shadow: null })).toMatchObject({ type: 'TypeError', message: expect.stringContaining('"shadow" must be an object') });
    expect(error({ ...base, shadow: { manifest: 'https://x/m.json', sample: 2 } })).toMatchObject({ type: 'RangeError', message: expect.stringContaining('"shadow.sample" must be a number in [0, 1]; received 2') });
    expect(error({ ...base, shadow: { manifest: 'https://x/m.json', sample: 0.5 } })).toBe('ok');
    expect(error({ ...base, canary: { minRuns: 0 } })).toMatchObject({ type: 'RangeError', message: expect.stringContaining('"canary.minRuns" must be an integer ≥ 1; received 0') });
    expect(error({ ...base, canary: false })).toBe('ok');
  });
});
