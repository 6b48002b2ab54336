import { ModelFormatError } from '@edgewise/core';

/** The parts of a TF.js model.json this engine reads. */
export interface TfjsModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: Array<Record<string, unknown>> }>;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
  generatedBy?: string;
  convertedBy?: string | null;
}

export function parseModelJson(name: string, bytes: Uint8Array): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ModelFormatError(`"${name}" is not a TF.js model.json: it is not valid JSON.`, { cause });
  }
  const j = json as Partial<TfjsModelJson>;
  if (typeof j !== 'object' || j === null || typeof j.modelTopology !== 'object' || !Array.isArray(j.weightsManifest)) {
    throw new ModelFormatError(`"${name}" is not a TF.js model.json: expected "modelTopology" and "weightsManifest".`);
  }
  return j as TfjsModelJson;
}

/** Graph models (converted SavedModels) carry a GraphDef; layers models a Keras config. */
export function isGraphModel(json: TfjsModelJson): boolean {
  return json.format === 'graph-model' || 'node' in json.modelTopology;
}

export function weightShardPaths(json: TfjsModelJson): string[] {
  return json.weightsManifest.flatMap((group) => group.paths);
}

interface KerasLayer {
  class_name?: string;
  config?: { name?: string };
}
interface KerasModelConfig {
  class_name?: string;
  config?: { layers?: KerasLayer[]; input_layers?: unknown[][]; output_layers?: unknown[][] } | KerasLayer[];
}

/**
 * Input/output names of a layers model as saved. TF.js uniquifies names of every model it loads
 * ("dense0_input_1" the second time), so names are taken from the file, where they are stable
 * across reloads, including the reload after a backend fallback.
 */
export function layersModelIONames(json: TfjsModelJson): { inputs: string[]; outputs: string[] } | undefined {
  const modelConfig = (json.modelTopology.model_config ?? json.modelTopology) as KerasModelConfig;
  const config = modelConfig.config;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!layers || layers.length === 0) return undefined;
  if (!Array.isArray(config) && config?.input_layers && config.output_layers) {
    return { inputs: config.input_layers.map((l) => String(l[0])), outputs: config.output_layers.map((l) => String(l[0])) };
  }
  const first = layers[0]!;
  const last = layers[layers.length - 1]!;
  const input = first.class_name === 'InputLayer' ? first.config?.name : first.config?.name && `${first.config.name}_input`;
  if (!input || !last.config?.name) return undefined;
  return { inputs: [input], outputs: [last.config.name] };
}
