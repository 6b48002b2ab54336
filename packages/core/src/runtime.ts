import { DEFAULT_CANARY } from './canary.js';
import type { Engine, ModelArtifact } from './engine.js';
import { ModelSourceError, UnknownEngineError } from './errors.js';
import { checkLoadOptions, type LoadModelOptions } from './load-options.js';
import { LocalModel, type Model } from './model.js';
import { fetchBytes, resolveArtifact, type ReadBytes } from './model-source.js';
import type { CreateObserver } from './monitoring.js';

/** Something that loads models somewhere else (a Web Worker, a worker thread). */
export interface ModelHost {
  loadModel(options: LoadModelOptions): Promise<Model>;
}

/** One version's verified files, as a ManifestLoader hands them over. */
export interface LoadedVersion {
  engine: string;
  entry: string;
  files: Record<string, Uint8Array>;
  version: string;
  baselineUrl?: string;
  /** The baseline's verified bytes, when the loader has them (a manifest listing it among the files): no fetch, offline too. */
  baseline?: Uint8Array;
  /** Present when the load is a canary (the manifest's rollout version): the version active before it, still cached. */
  canary?: { previous: string };
}

/** Resolves a manifest to verified model files (a ModelCache from @edgewise/store fits). */
export interface ManifestLoader {
  load(manifestUrl: string, options: { version?: string; onProgress?: LoadModelOptions['onProgress'] }): Promise<LoadedVersion>;
  /** A cached version's files without making it active: the canary guard's reference. Without it, canaries are not guarded. */
  read?(manifestUrl: string, version: string): Promise<LoadedVersion>;
  /**
   * Makes the previously active version active again, offline (the canary guard's rollback); with
   * `from`, only while that version is still the active one (another guard may have rolled it back).
   */
  rollback?(manifestUrl: string, options?: { from?: string }): Promise<string>;
  /** Records that the canary `version` passed its guard, so later loads do not guard it again. */
  passed?(manifestUrl: string, version: string): Promise<void>;
}

export interface RuntimeOptions {
  /** Where `loadModel({ manifest })` gets models: a cache over a store. */
  models?: ManifestLoader;
  engines?: Engine[];
  /** How URLs/paths become bytes. Default: fetch. */
  readBytes?: ReadBytes;
  /** Where `worker: true` models go; platform packages supply one. */
  workerHost?: ModelHost;
  /**
   * Builds each model's monitor (`createModelMonitor` from @edgewise/drift; the platform runtimes
   * load it on demand). Without it, models are unmonitored and `loadModel({ monitor: {…} })` is refused.
   */
  monitoring?: CreateObserver;
}

/**
 * An Edgewise runtime: a registry of engines (per instance, never global) and `loadModel`.
 *
 * @example
 * const runtime = createRuntime({ engines: [createOnnxEngine()] });
 * const model = await runtime.loadModel({ source: '/m.onnx', engine: 'onnx', backends: ['wasm'] });
 */
export interface Runtime {
  registerEngine(engine: Engine): void;
  readonly engines: readonly string[];
  loadModel(options: LoadModelOptions): Promise<Model>;
}

/**
 * The candidate's own load: in this thread (a shadow goes where its active model is), unmonitored
 * (its counts go to the active model's monitor), inputs already validated by the active model.
 */
function shadowLoadOptions(options: LoadModelOptions, activeEngine: string): LoadModelOptions {
  const { source, manifest, version, engine } = options.shadow!;
  const from: LoadModelOptions = manifest !== undefined ? { manifest, version } : { source, engine: engine ?? activeEngine };
  return { ...from, backends: options.backends, numThreads: options.numThreads, recovery: options.recovery, monitor: false, validation: false };
}

/**
 * The canary guard's part of a load: the reference's files, or undefined when the load is no
 * canary, the guard is off, or the loader cannot read a version without activating it.
 */
async function canaryFor(models: ManifestLoader, manifest: string, cached: LoadedVersion, options: LoadModelOptions) {
  if (!cached.canary || options.canary === false || !models.read || !models.rollback) return undefined;
  const reference = await models.read(manifest, cached.canary.previous).catch(() => undefined);
  if (!reference || reference.engine !== cached.engine) return undefined;
  const artifact: ModelArtifact = { entry: reference.entry, files: reference.files };
  // Crashes count only against the version that had them (the store may have moved on since).
  const carried = options.resume?.canaryCrashes;
  const crashes = carried?.version === cached.version ? carried.crashes : 0;
  return { reference: artifact, previous: reference.version, options: { ...DEFAULT_CANARY, ...options.canary }, rollback: () => models.rollback!(manifest, { from: cached.version }), passed: models.passed ? () => models.passed!(manifest, cached.version) : undefined, crashes };
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const engines = new Map<string, Engine>();
  const readBytes = options.readBytes ?? fetchBytes;
  const registerEngine = (engine: Engine) => {
    if (!engine || typeof engine.name !== 'string' || typeof engine.createSession !== 'function') {
      throw new TypeError('registerEngine(): expected an Engine {name, backends, companionFiles, createSession}.');
    }
    engines.set(engine.name, engine);
  };
  options.engines?.forEach(registerEngine);

  return {
    registerEngine,
    get engines() {
      return [...engines.keys()];
    },
    async loadModel(loadOptions: LoadModelOptions): Promise<Model> {
      checkLoadOptions(loadOptions);
      if (loadOptions.worker) {
        if (!options.workerHost) {
          throw new TypeError('loadModel(): "worker: true" needs a runtime with a worker host; use createWebRuntime() from @edgewise/web.');
        }
        return options.workerHost.loadModel(loadOptions);
      }
      let source = loadOptions.source;
      let engineName = loadOptions.engine;
      let monitorConfig = loadOptions.monitor;
      let version: string | undefined;
      let canary: Awaited<ReturnType<typeof canaryFor>>;
      let readMonitorBytes = readBytes;
      let baselineHint: string | undefined;
      if (loadOptions.manifest !== undefined) {
        if (!options.models) throw new TypeError('loadModel(): "manifest" needs a runtime created with a `models` cache (see @edgewise/store).');
        const cached = await options.models.load(loadOptions.manifest, { version: loadOptions.version, onProgress: loadOptions.onProgress });
        if (engineName !== undefined && engineName !== cached.engine) {
          throw new TypeError(`loadModel(): "engine" is '${engineName}' but ${loadOptions.manifest} says version ${cached.version} is '${cached.engine}'.`);
        }
        engineName = cached.engine;
        source = { entry: cached.entry, files: cached.files };
        version = cached.version;
        canary = await canaryFor(options.models, loadOptions.manifest, cached, loadOptions);
        // The manifest's baseline serves monitors that name features but no baseline of their own.
        if (monitorConfig && !monitorConfig.baseline && cached.baselineUrl) {
          monitorConfig = { ...monitorConfig, baseline: cached.baselineUrl };
          // Cached with the version: read from the store, not the network (so offline too).
          const { baselineUrl, baseline } = cached;
          if (baseline) readMonitorBytes = (url) => (url === baselineUrl ? Promise.resolve(baseline) : readBytes(url));
          else baselineHint = `the baseline is not among the files of version ${cached.version} in ${loadOptions.manifest}, so it is fetched at every load, unverified, and not available offline; list "${baselineUrl}" there with its size and sha256 to have it cached with the version`;
        }
      }
      const engine = engines.get(engineName!);
      if (!engine) throw new UnknownEngineError(String(engineName), [...engines.keys()]);
      if (monitorConfig && !options.monitoring) {
        throw new TypeError('loadModel(): "monitor" needs a runtime with monitoring: createRuntime({ monitoring: createModelMonitor }) with createModelMonitor from @edgewise/drift.');
      }
      const monitoring = monitorConfig === false ? undefined : options.monitoring;
      const [artifact, monitor, shadowModel] = await Promise.all([
        resolveArtifact(source!, engine, readBytes),
        monitoring ? monitoring(monitorConfig || undefined, readMonitorBytes).catch((error: unknown) => {
              throw baselineHint && error instanceof ModelSourceError ? new ModelSourceError(`${error.message} (${baselineHint})`, { cause: error }) : error;
            }) : (false as const),
        loadOptions.shadow ? this.loadModel(shadowLoadOptions(loadOptions, engine.name)) : undefined,
      ]);
      return LocalModel.open(
        engine,
        artifact,
        {
          backends: loadOptions.backends ?? engine.backends,
          session: { numThreads: loadOptions.numThreads },
          validation: loadOptions.validation ?? {},
          monitor,
          ...(loadOptions.select === 'fastest' ? { fastest: { probe: loadOptions.probe, runs: loadOptions.probeRuns ?? 5 } } : {}),
          recovery: loadOptions.recovery,
          resume: loadOptions.resume,
          ...(shadowModel ? { shadow: { candidate: shadowModel, sample: loadOptions.shadow!.sample, maxPending: loadOptions.shadow!.maxPending } } : {}),
          ...(version !== undefined ? { version } : {}),
          ...(canary ? { canary } : {}),
        },
        loadOptions.onBackendAttempt,
      );
    },
  };
}
