import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { FileSystem } from '@edgewise/store';

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** node:fs as the store's FileSystem (Node and Electron's main process). */
export const nodeFileSystem: FileSystem = {
  async readFile(path) {
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      if (missing(e)) return undefined;
      throw e;
    }
  },
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if (missing(e)) return undefined;
      throw e;
    }
  },
  writeFile: (path, data) => writeFile(path, data),
  writeText: (path, text) => writeFile(path, text, 'utf8'),
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { recursive: true, force: true }),
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (e) {
      if (missing(e)) return [];
      throw e;
    }
  },
  mkdir: async (dir) => void (await mkdir(dir, { recursive: true })),
};
