import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession, ModelArtifact } from './engine.js';
import type { LoadModelOptions } from './load-options.js';
import type { LocalModel, Model } from './model.js';
import { doublingSession } from './doubling-session.fixture.js';
import type { CreateObserver } from './monitoring.js';
import { createRuntime, type LoadedVersion, type ManifestLoader } from './runtime.js';
import { tensor } from './tensor.js';

/**
 * createRuntime's wiring: engines, the worker host, manifests (engine check, version, baseline,
 * canary reference), monitors and shadows. The engine is scripted (it doubles its input and logs
 * each session it opens); real engines are covered by test/node and the browser suites.
 */
function scriptedEngine(name = 'scripted'): Engine & { sessions: Array<{ entry: string; backend: BackendName; numThreads?: number }> } {
  const sessions: Array<{ entry: string; backend: BackendName; numThreads?: number }> = [];
  return {
    name,
    backends: ['wasm'],
    sessions,
    companionFiles: () => [],
    async createSession(artifact: ModelArtifact, backend: BackendName, options?: { numThreads?: number }): Promise<EngineSession> {
      sessions.push({ entry: artifact.entry, backend, ...(options?.numThreads !== undefined ? { numThreads: options.numThreads } : {}) });
      return doublingSession(backend);
    },
  };
}
const bytes = new Uint8Array([1]);
const version = (v: string, extra: Partial<LoadedVersion> = {}): LoadedVersion => ({ engine: 'scripted', entry: `${v}.bin`, files: { [`${v}.bin`]: bytes }, version: v, ...extra });
function loader(active: LoadedVersion, cached: Record<string, LoadedVersion> = {}): ManifestLoader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async load(url, options) {
      calls.push(`load ${url} ${options.version ?? 'latest'}`);
      return active;
    },
    async read(url, v) {
      calls.push(`read ${url} ${v}`);
      const found = cached[v];
      if (!found) throw new Error(`${v} not cached`);
      return found;
    },
    async rollback(url, options) {
      calls.push(`rollback ${url} from ${options?.from}`);
      return 'x';
    },
    async passed(url, v) {
      calls.push(`passed ${url} ${v}`);
    },
  };
}
const MANIFEST = 'https://models.example/m/manifest.json';

describe('createRuntime', () => {
  it('registers engines given or added later, and refuses what is not an engine', () => {
    const runtime = createRuntime({ engines: [scriptedEngine('a')] });
    runtime.registerEngine(scriptedEngine('b'));
    expect(runtime.engines).toEqual(['a', 'b']);
    const message = 'registerEngine(): expected an Engine {name, backends, companionFiles, createSession}.';
    expect(() => runtime.registerEngine(null as never)).toThrow(new TypeError(message));
    expect(() => runtime.registerEngine({ name: 3, createSession: () => undefined } as never)).toThrow(new TypeError(message));
    expect(() => runtime.registerEngine({ name: 'c' } as never)).toThrow(new TypeError(message));
    expect(createRuntime().engines).toEqual([]);
  });

  it('hands worker loads to its worker host, and refuses them without one', async () => {
    const options = { source: bytes, engine: 'scripted', worker: true };
    await expect(createRuntime().loadModel(options)).rejects.toThrow(new TypeError('loadModel(): "worker: true" needs a runtime with a worker host; use createWebRuntime() from @edgewise/web.'));
    const seen: LoadModelOptions[] = [];
    const hosted = { hosted: true } as unknown as Model;
    const runtime = createRuntime({ workerHost: { loadModel: async (o) => (seen.push(o), hosted) } });
    expect(await runtime.loadModel(options)).toBe(hosted);
    expect(seen).toEqual([options]);
  });

  it('opens the engine with the thread count asked for, and an unknown engine is named', async () => {
    const engine = scriptedEngine();
    const model = await createRuntime({ engines: [engine] }).loadModel({ source: bytes, engine: 'scripted', numThreads: 3 });
    expect(engine.sessions).toEqual([{ entry: 'model', backend: 'wasm', numThreads: 3 }]);
    expect((await model.run({ x: tensor('float32', [2], [1]) })).y!.data[0]).toBe(4);
    expect(model.version).toBeUndefined();
    await expect(createRuntime({ engines: [engine] }).loadModel({ source: bytes, engine: 'tfjs' })).rejects.toMatchObject({ code: 'E_UNKNOWN_ENGINE' });
  });

  it('by manifest: needs a models cache; checks the engine; carries the version and the manifest baseline to the monitor', async () => {
    await expect(createRuntime({ engines: [scriptedEngine()] }).loadModel({ manifest: MANIFEST })).rejects.toThrow(new TypeError('loadModel(): "manifest" needs a runtime created with a `models` cache (see @edgewise/store).'));
    const models = loader(version('1.1.0', { baselineUrl: 'https://models.example/m/baseline.json' }));
    await expect(createRuntime({ engines: [scriptedEngine()], models }).loadModel({ manifest: MANIFEST, engine: 'onnx' })).rejects.toThrow(
      new TypeError(`loadModel(): "engine" is 'onnx' but ${MANIFEST} says version 1.1.0 is 'scripted'.`),
    );
    const configs: unknown[] = [];
    const monitoring: CreateObserver = async (config) => {
      configs.push(config);
      return undefined as never;
    };
    const engine = scriptedEngine();
    const model = await createRuntime({ engines: [engine], models, monitoring }).loadModel({ manifest: MANIFEST, version: '1.1.0', monitor: { features: [] } as never });
    expect(model.version).toBe('1.1.0');
    expect(models.calls).toContain(`load ${MANIFEST} 1.1.0`);
    expect(engine.sessions.map((s) => s.entry)).toEqual(['1.1.0.bin']);
    expect(configs).toEqual([{ features: [], baseline: 'https://models.example/m/baseline.json' }]);
    // A baseline named in the monitor options wins over the manifest's.
    await createRuntime({ engines: [scriptedEngine()], models, monitoring }).loadModel({ manifest: MANIFEST, monitor: { baseline: 'own.json' } as never });
    expect(configs[1]).toEqual({ baseline: 'own.json' });
  });

  it('monitors only with a monitoring factory; monitor: false skips it; no monitor options means the default monitor', async () => {
    await expect(createRuntime({ engines: [scriptedEngine()] }).loadModel({ source: bytes, engine: 'scripted', monitor: {} as never })).rejects.toThrow(
      new TypeError('loadModel(): "monitor" needs a runtime with monitoring: createRuntime({ monitoring: createModelMonitor }) with createModelMonitor from @edgewise/drift.'),
    );
    const configs: unknown[] = [];
    const monitoring: CreateObserver = async (config) => (configs.push(config), undefined as never);
    const runtime = createRuntime({ engines: [scriptedEngine()], monitoring });
    await runtime.loadModel({ source: bytes, engine: 'scripted', monitor: false });
    expect(configs).toEqual([]);
    await runtime.loadModel({ source: bytes, engine: 'scripted' });
    expect(configs).toEqual([undefined]);
  });

  it('a canary load opens the previous version as its reference when it is cached under the same engine, and not otherwise', async () => {
    const canary = version('1.2.0', { canary: { previous: '1.1.0' } });
    const engine = scriptedEngine();
    const guarded = await createRuntime({ engines: [engine], models: loader(canary, { '1.1.0': version('1.1.0') }) }).loadModel({ manifest: MANIFEST });
    expect(engine.sessions.map((s) => s.entry)).toEqual(['1.2.0.bin', '1.1.0.bin']);
    expect((guarded as LocalModel).guardedVersion).toBe('1.2.0');
    const cases: Array<[string, ManifestLoader, LoadModelOptions]> = [
      ['canary: false', loader(canary, { '1.1.0': version('1.1.0') }), { manifest: MANIFEST, canary: false }],
      ['previous not cached', loader(canary), { manifest: MANIFEST }],
      ['previous under another engine', loader(canary, { '1.1.0': version('1.1.0', { engine: 'tfjs' }) }), { manifest: MANIFEST }],
      ['no read()', { ...loader(canary, { '1.1.0': version('1.1.0') }), read: undefined }, { manifest: MANIFEST }],
      ['no rollback()', { ...loader(canary, { '1.1.0': version('1.1.0') }), rollback: undefined }, { manifest: MANIFEST }],
      ['not a canary', loader(version('1.2.0'), { '1.1.0': version('1.1.0') }), { manifest: MANIFEST }],
    ];
    for (const [name, models, options] of cases) {
      const e = scriptedEngine();
      const model = await createRuntime({ engines: [e], models }).loadModel(options);
      expect(e.sessions.map((s) => s.entry), name).toEqual(['1.2.0.bin']);
      expect((model as LocalModel).guardedVersion, name).toBeUndefined();
    }
  });

  it('crashes carried over count only for the version that had them', async () => {
    const canary = version('1.2.0', { canary: { previous: '1.1.0' } });
    const open = (resume: LoadModelOptions['resume']) =>
      createRuntime({ engines: [scriptedEngine()], models: loader(canary, { '1.1.0': version('1.1.0') }) }).loadModel({ manifest: MANIFEST, canary: { maxCrashes: 2 }, resume });
    // Two crashes of this version already: rolled back at load, the model runs the previous version.
    const crashed = await open({ canaryCrashes: { version: '1.2.0', crashes: 2 } });
    expect(crashed.version).toBe('1.1.0');
    // Crashes of another version do not count.
    expect((await open({ canaryCrashes: { version: '1.0.0', crashes: 2 } })).version).toBe('1.2.0');
  });

  it('a shadow is loaded beside the active model with its backends and threads, unmonitored, by source or by manifest', async () => {
    const engine = scriptedEngine();
    const configs: unknown[] = [];
    const monitoring: CreateObserver = async (config) => (configs.push(config), undefined as never);
    const runtime = createRuntime({ engines: [engine], monitoring, models: loader(version('2.0.0')) });
    const model = await runtime.loadModel({ source: bytes, engine: 'scripted', numThreads: 2, shadow: { source: new Uint8Array([2]), sample: 1 } });
    expect(engine.sessions).toEqual([
      { entry: 'model', backend: 'wasm', numThreads: 2 },
      { entry: 'model', backend: 'wasm', numThreads: 2 },
    ]);
    expect(configs).toEqual([undefined]);
    await model.run({ x: tensor('float32', [1], [1]) });
    engine.sessions.length = 0;
    await runtime.loadModel({ source: bytes, engine: 'scripted', shadow: { manifest: MANIFEST, version: '2.0.0', sample: 0.5 } });
    expect(engine.sessions.map((s) => s.entry).sort()).toEqual(['2.0.0.bin', 'model']);
  });
});
