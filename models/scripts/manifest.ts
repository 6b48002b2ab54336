import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One model version in a manifest. */
export interface ManifestVersion {
  engine: 'onnx' | 'tfjs';
  entry: string;
  files: Array<{ path: string; size: number; sha256: string }>;
  inputs?: Array<{ name: string; type: string; dims: Array<number | string> }>;
  outputs?: Array<{ name: string; type: string; dims: Array<number | string> }>;
  baseline?: string;
}

/**
 * The model manifest (see README, "Model manifests"): versions with per-file size and SHA-256, the
 * latest version, revoked versions and a rollout percentage. File paths are relative to the manifest.
 */
export interface Manifest {
  format: 'edgewise-manifest';
  version: 1;
  name: string;
  latest: string;
  revoked: string[];
  rollout?: { version: string; percent: number };
  versions: Record<string, ManifestVersion>;
}

export async function describeFiles(dir: string, paths: string[]): Promise<ManifestVersion['files']> {
  return Promise.all(
    paths.map(async (path) => {
      const bytes = await readFile(join(dir, path));
      return { path, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}
