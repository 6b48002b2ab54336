import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DenseNetwork } from './dense-network.js';

/** A TF.js model as files: model.json plus its weight shard(s). */
export type TfjsFiles = Record<string, Uint8Array>;

/** Serialises a TF.js LayersModel to model.json + one weight shard, in memory. */
export async function saveLayersModel(model: tfl.LayersModel, shardName = 'weights.bin'): Promise<TfjsFiles> {
  let files: TfjsFiles = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData as ArrayBuffer;
      const json = {
        format: 'layers-model',
        generatedBy: 'edgewise-model-tools',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [shardName], weights: artifacts.weightSpecs }],
      };
      files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), [shardName]: new Uint8Array(weightData) };
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/** The same network as a Keras-style Sequential of Dense layers, saved as TF.js layers files. */
export async function denseNetworkToTfjs(net: DenseNetwork): Promise<TfjsFiles> {
  await tf.setBackend('cpu');
  const model = tfl.sequential();
  for (let i = 0; i < net.kernels.length; i++) {
    const last = i + 1 === net.kernels.length;
    model.add(
      tfl.layers.dense({
        units: net.sizes[i + 1]!,
        activation: last ? 'softmax' : 'relu',
        name: `dense${i}`,
        ...(i === 0 ? { inputShape: [net.sizes[0]!] } : {}),
      }),
    );
  }
  model.setWeights(net.kernels.flatMap((k, i) => [tf.tensor2d(k, [net.sizes[i]!, net.sizes[i + 1]!]), tf.tensor1d(net.biases[i]!)]));
  const files = await saveLayersModel(model);
  model.dispose();
  return files;
}
