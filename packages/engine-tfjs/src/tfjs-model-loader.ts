import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { isGraphModel, layersModelIONames, weightShardPaths, type TfjsModelJson } from './tfjs-model-json.js';

/** Graph and layers models behind one shape: ordered inputs/outputs and a predict. */
export interface TfjsModel {
  inputs: Array<{ name: string; shape?: number[] | null; dtype?: string }>;
  outputs: Array<{ name: string; shape?: number[] | null; dtype?: string }>;
  predict(inputs: tf.Tensor[]): Promise<tf.Tensor[]>;
  dispose(): void;
}

function concatShards(paths: string[], files: Record<string, Uint8Array>): ArrayBuffer {
  const total = paths.reduce((n, p) => n + files[p]!.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of paths) {
    out.set(files[p]!, offset);
    offset += files[p]!.byteLength;
  }
  return out.buffer;
}

/** Loads from bytes already in memory, so the same path serves fetch, IndexedDB and fs sources. */
export async function loadTfjsModel(json: TfjsModelJson, files: Record<string, Uint8Array>): Promise<TfjsModel> {
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology as never,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never,
    weightData: concatShards(weightShardPaths(json), files),
    signature: json.signature as never,
    userDefinedMetadata: json.userDefinedMetadata as never,
    modelInitializer: json.modelInitializer as never,
  });
  if (isGraphModel(json)) {
    const model = await loadGraphModel(handler);
    const outputNames = model.outputs.map((o) => o.name);
    return {
      inputs: model.inputs.map((i) => ({ name: i.name, shape: i.shape ?? null, dtype: i.dtype })),
      outputs: model.outputs.map((o) => ({ name: o.name, shape: o.shape ?? null, dtype: o.dtype })),
      async predict(inputs) {
        const named: tf.NamedTensorMap = {};
        model.inputs.forEach((info, i) => (named[info.name] = inputs[i]!));
        // executeAsync handles control-flow ops that execute() rejects.
        const result = await model.executeAsync(named, outputNames);
        return Array.isArray(result) ? result : [result];
      },
      dispose: () => model.dispose(),
    };
  }
  const model = await loadLayersModel(handler);
  const saved = layersModelIONames(json);
  return {
    inputs: model.inputs.map((i, k) => ({ name: saved?.inputs[k] ?? model.inputNames[k]!, shape: i.shape as number[], dtype: i.dtype })),
    outputs: model.outputs.map((o, k) => ({ name: saved?.outputs[k] ?? model.outputNames[k]!, shape: o.shape as number[], dtype: o.dtype })),
    async predict(inputs) {
      const result = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result : [result];
    },
    dispose: () => model.dispose(),
  };
}
