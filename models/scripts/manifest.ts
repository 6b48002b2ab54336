import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest, ManifestVersion } from '@edgewise/store';

// The manifest format is owned by @edgewise/store (parseManifest validates what this writes).
export type { Manifest, ManifestVersion } from '@edgewise/store';

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
