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
