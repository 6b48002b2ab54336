import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { ReactNativeFs } from '@edgewise/react-native';

/**
 * react-native-fs's documented API, implemented on node:fs with its stricter behaviours kept (so the
 * adapter is tested against them): readFile, readDir and unlink reject on missing paths, moveFile
 * rejects when the target exists (iOS), strings only (base64 or utf8). It stands in for the native
 * module, which cannot run here; it is not react-native-fs.
 */
export function reactNativeFsOnNode(): ReactNativeFs & { calls: string[] } {
  const calls: string[] = [];
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  const exists = async (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  return {
    calls,
    async readFile(path, encoding = 'utf8') {
      calls.push('readFile');
      if (!(await exists(path))) throw enoent(path);
      const data = await readFile(path);
      if (encoding === 'base64') return data.toString('base64');
      if (encoding === 'utf8') return data.toString('utf8');
      throw new Error(`Invalid encoding ${encoding}`);
    },
    async writeFile(path, contents, encoding = 'utf8') {
      calls.push('writeFile');
      if (typeof contents !== 'string') throw new TypeError('react-native-fs writes strings only');
      await writeFile(path, encoding === 'base64' ? Buffer.from(contents, 'base64') : Buffer.from(contents, 'utf8'));
    },
    async moveFile(from, to) {
      calls.push('moveFile');
      if (await exists(to)) throw new Error(`“${to}” couldn’t be moved because an item with the same name already exists.`);
      await rename(from, to);
    },
    async unlink(path) {
      calls.push('unlink');
      if (!(await exists(path))) throw enoent(path);
      await rm(path, { recursive: true });
    },
    exists,
    async readDir(path) {
      calls.push('readDir');
      if (!(await exists(path))) throw enoent(path);
      return (await readdir(path)).map((name) => ({ name, path: `${path}/${name}` }));
    },
    async mkdir(path) {
      calls.push('mkdir');
      await mkdir(path, { recursive: true });
    },
  };
}
