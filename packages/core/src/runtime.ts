import type { Engine } from './engine.js';
import { UnknownEngineError } from './errors.js';
import { checkLoadOptions, type LoadModelOptions } from './load-options.js';
import { LocalModel, type Model } from './model.js';
import { fetchBytes, resolveArtifact, type ReadBytes } from './model-source.js';
import { createMonitor } from './monitor-config.js';

/** Something that loads models somewhere else (a Web Worker, a worker thread). */
export interface ModelHost {
  loadModel(options: LoadModelOptions): Promise<Model>;
  /**
   * Fault injection: destroys the GPU devices of this thread's engines (worker hosts: theirs too), so
   * the next GPU run fails as after a driver reset and exercises run-time fallback.
   */
  simulateDeviceLoss(): Promise<void>;
}

export interface RuntimeOptions {
  engines?: Engine[];
  /** How URLs/paths become bytes. Default: fetch. */
  readBytes?: ReadBytes;
  /** Where `worker: true` models go; platform packages supply one. */
  workerHost?: ModelHost;
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
  /**
   * Fault injection: destroys the GPU devices of this thread's engines (worker hosts: theirs too), so
   * the next GPU run fails as after a driver reset and exercises run-time fallback.
   */
  simulateDeviceLoss(): Promise<void>;
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
    async simulateDeviceLoss() {
      await Promise.all([...engines.values()].map((e) => e.simulateDeviceLoss?.()));
      await options.workerHost?.simulateDeviceLoss();
    },
    async loadModel(loadOptions: LoadModelOptions): Promise<Model> {
      checkLoadOptions(loadOptions);
      if (loadOptions.worker) {
        if (!options.workerHost) {
          throw new TypeError('loadModel(): "worker: true" needs a runtime with a worker host; use createWebRuntime() from @edgewise/web.');
        }
        return options.workerHost.loadModel(loadOptions);
      }
      const engine = engines.get(loadOptions.engine);
      if (!engine) throw new UnknownEngineError(loadOptions.engine, [...engines.keys()]);
      const [artifact, monitor] = await Promise.all([
        resolveArtifact(loadOptions.source, engine, readBytes),
        createMonitor(loadOptions.monitor, readBytes),
      ]);
      return LocalModel.open(
        engine,
        artifact,
        {
          backends: loadOptions.backends ?? engine.backends,
          session: { numThreads: loadOptions.numThreads },
          validation: loadOptions.validation ?? {},
          monitor,
        },
        loadOptions.onBackendAttempt,
      );
    },
  };
}
