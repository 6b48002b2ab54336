import { base64ToBytes, bytesToBase64, type FileSystem } from '@edgewise/store';

/** The slice of react-native-fs the store uses (its documented API; `import RNFS from 'react-native-fs'`). */
export interface ReactNativeFs {
  readFile(path: string, encoding?: string): Promise<string>;
  writeFile(path: string, contents: string, encoding?: string): Promise<void>;
  moveFile(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  readDir(path: string): Promise<Array<{ name: string }>>;
  mkdir(path: string): Promise<void>;
}

/**
 * react-native-fs as the store's FileSystem. Binary data crosses the bridge as base64 (that is
 * react-native-fs's API), which costs ~4/3 the bytes and a JS encode/decode: fine for the store's
 * 4 MiB chunks.
 *
 * react-native-fs's moveFile fails on iOS when the target exists, so `rename` deletes the target
 * first: not atomic there. A crash between the two leaves the old record or state missing (never
 * half-written), and the cache then refetches or falls back, as after any lost file.
 *
 * @example
 * import RNFS from 'react-native-fs';
 * new FileSystemStore(reactNativeFileSystem(RNFS), `${RNFS.DocumentDirectoryPath}/edgewise-models`)
 */
export function reactNativeFileSystem(fs: ReactNativeFs): FileSystem {
  const ifExists = async <T>(path: string, read: () => Promise<T>): Promise<T | undefined> => ((await fs.exists(path)) ? read() : undefined);
  return {
    readFile: (path) => ifExists(path, async () => base64ToBytes(await fs.readFile(path, 'base64'))),
    readText: (path) => ifExists(path, () => fs.readFile(path, 'utf8')),
    writeFile: (path, data) => fs.writeFile(path, bytesToBase64(data), 'base64'),
    writeText: (path, text) => fs.writeFile(path, text, 'utf8'),
    async rename(from, to) {
      if (await fs.exists(to)) await fs.unlink(to);
      await fs.moveFile(from, to);
    },
    async remove(path) {
      // unlink removes directories recursively in react-native-fs.
      if (await fs.exists(path)) await fs.unlink(path);
    },
    list: async (dir) => ((await fs.exists(dir)) ? (await fs.readDir(dir)).map((e) => e.name) : []),
    async mkdir(dir) {
      if (!(await fs.exists(dir))) await fs.mkdir(dir);
    },
  };
}
