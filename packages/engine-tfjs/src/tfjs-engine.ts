import {
  BackendError,
  ModelFormatError,
  describeError,
  type BackendName,
  type DType,
  type Engine,
  type EngineSession,
  type ModelArtifact,
  type NamedTensors,
  type SessionOptions,
  type TensorSpec,
} from '@edgewise/core';
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, type TfjsBackendOptions } from './tfjs-backends.js';
import { isGraphModel, parseModelJson, weightShardPaths } from './tfjs-model-json.js';
import { loadTfjsModel, type TfjsModel } from './tfjs-model-loader.js';

export interface TfjsEngineOptions extends TfjsBackendOptions {
  /** Backends this platform offers, best first. Default: webgpu, webgl, wasm, cpu. */
  backends?: BackendName[];
}

function toSpec(info: { name: string; shape?: number[] | null; dtype?: string }): TensorSpec {
  return {
    name: info.name,
    type: (info.dtype === 'int32' || info.dtype === 'bool' ? info.dtype : 'float32') as DType,
    dims: info.shape ? info.shape.map((d) => (d === null || d < 0 ? null : d)) : null,
  };
}

class TfjsSession implements EngineSession {
  constructor(
    private readonly model: TfjsModel,
    readonly backend: BackendName,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly backendOptions: TfjsBackendOptions,
  ) {}

  async run(inputs: NamedTensors): Promise<NamedTensors> {
    await activateBackend(this.backend, this.backendOptions);
    const feeds = this.inputs.map((spec) => {
      const t = inputs[spec.name]!;
      return tf.tensor(t.data as Float32Array, [...t.dims], t.type === 'int32' || t.type === 'bool' ? t.type : 'float32');
    });
    let results: tf.Tensor[] = [];
    try {
      results = await this.model.predict(feeds);
      const out: NamedTensors = {};
      await Promise.all(
        results.map(async (r, i) => {
          const spec = this.outputs[i]!;
          const data = await r.data();
          out[spec.name] = { type: r.dtype === 'int32' || r.dtype === 'bool' ? r.dtype : 'float32', data: data as Float32Array, dims: [...r.shape] };
        }),
      );
      return out;
    } catch (error) {
      throw new BackendError(this.backend, describeError(error), { cause: error });
    } finally {
      tf.dispose(feeds);
      tf.dispose(results);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/**
 * The TF.js engine: graph models (tf.loadGraphModel) and layers models (tf.loadLayersModel).
 *
 * @example
 * const runtime = createRuntime({ engines: [createTfjsEngine({ wasmPaths: '/tfjs-wasm/' })] });
 */
export function createTfjsEngine(options: TfjsEngineOptions = {}): Engine {
  return {
    name: 'tfjs',
    backends: options.backends ?? ['webgpu', 'webgl', 'wasm', 'cpu'],
    companionFiles(entry, bytes) {
      return weightShardPaths(parseModelJson(entry, bytes));
    },
    async simulateDeviceLoss() {
      const backend = tf.findBackend('webgpu') as unknown as { device?: { destroy(): void } } | null;
      backend?.device?.destroy();
    },
    async createSession(artifact: ModelArtifact, backend: BackendName, sessionOptions: SessionOptions = {}): Promise<EngineSession> {
      const json = parseModelJson(artifact.entry, artifact.files[artifact.entry]!);
      for (const path of weightShardPaths(json)) {
        if (!artifact.files[path]) throw new ModelFormatError(`TF.js model "${artifact.entry}" needs weight file "${path}", which is missing.`);
      }
      try {
        await activateBackend(backend, { ...options, numThreads: sessionOptions.numThreads });
      } catch (error) {
        throw new BackendError(backend, describeError(error), { cause: error });
      }
      let model: TfjsModel;
      try {
        model = await loadTfjsModel(json, artifact.files);
      } catch (error) {
        throw new ModelFormatError(`TF.js could not load "${artifact.entry}" as a ${isGraphModel(json) ? 'graph' : 'layers'} model: ${describeError(error)}`, {
          cause: error,
        });
      }
      return new TfjsSession(model, backend, model.inputs.map(toSpec), model.outputs.map(toSpec), options);
    },
  };
}
