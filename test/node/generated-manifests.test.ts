import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '@edgewise/store';
import { describe, expect, it } from 'vitest';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));

describe('manifests written by npm run models', () => {
  for (const model of ['mnist', 'silero-vad', 'handtrack']) {
    it(`${model}: parses, and every file's size and SHA-256 match the bytes on disk`, async () => {
      const manifest = parseManifest(JSON.parse(await readFile(`${generated}${model}/manifest.json`, 'utf8')), model);
      for (const version of Object.values(manifest.versions)) {
        for (const file of version.files) {
          const bytes = await readFile(`${generated}${model}/${file.path}`);
          expect(bytes.byteLength).toBe(file.size);
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
        }
      }
    });
  }
});
