import {
  BackendError,
  InputError,
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
import { classifyTfjsError, tfjsDeviceLost } from './tfjs-failures.js';
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
    const feeds: tf.Tensor[] = [];
    let results: tf.Tensor[] = [];
    try {
      for (const spec of this.inputs) {
        const t = inputs[spec.name];
        if (!t) throw new InputError(spec.name, 'nothing', `a ${spec.type} tensor (inputs are ${this.inputs.map((i) => `"${i.name}"`).join(', ')})`);
        feeds.push(tf.tensor(t.data as Float32Array, [...t.dims], t.type === 'int32' || t.type === 'bool' ? t.type : 'float32'));
      }
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
      throw await this.classify(error);
    } finally {
      tf.dispose(feeds);
      tf.dispose(results);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }

  private async classify(error: unknown): Promise<Error> {
    if (error instanceof InputError) return error;
    // A destroyed WebGPU device resolves its `lost` promise a task later than the failing call.
    if (this.backend === 'webgpu') await new Promise((r) => setTimeout(r, 0));
    const failure = classifyTfjsError(error, this.backend);
    const message = describeError(error);
    if (failure === 'input') return new InputError(this.inputs.length === 1 ? this.inputs[0]!.name : '', `a tensor TF.js rejected (${message})`, 'inputs matching the model signature', { cause: error });
    return new BackendError(this.backend, message, { cause: error, failure });
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
    async createSession(artifact: ModelArtifact, backend: BackendName, sessionOptions: SessionOptions = {}): Promise<EngineSession> {
      const json = parseModelJson(artifact.entry, artifact.files[artifact.entry]!);
      for (const path of weightShardPaths(json)) {
        if (!artifact.files[path]) throw new ModelFormatError(`TF.js model "${artifact.entry}" needs weight file "${path}", which is missing.`);
      }
      try {
        await activateBackend(backend, { ...options, numThreads: sessionOptions.numThreads });
      } catch (error) {
        throw new BackendError(backend, describeError(error), { cause: error, failure: 'backend-unavailable' });
      }
      tfjsDeviceLost(backend); // starts watching this backend's GPU device, if it has one
      let model: TfjsModel;
      try {
        model = await loadTfjsModel(json, artifact.files);
      } catch (error) {
        // Uploading weights can fail for the backend's own reasons (memory, a lost GPU); those move on.
        const failure = classifyTfjsError(error, backend);
        if (failure !== 'unknown' && failure !== 'input') throw new BackendError(backend, describeError(error), { cause: error, failure });
        throw new ModelFormatError(`TF.js could not load "${artifact.entry}" as a ${isGraphModel(json) ? 'graph' : 'layers'} model: ${describeError(error)}`, {
          cause: error,
        });
      }
      return new TfjsSession(model, backend, model.inputs.map(toSpec), model.outputs.map(toSpec), options);
    },
  };
}
