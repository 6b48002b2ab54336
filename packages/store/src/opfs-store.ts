import { FileSystemStore } from './file-system-store.js';
import type { FileSystem } from './file-system.js';

/** The OPFS handle methods used here; lib.dom types lack the worker-only and newer ones. */
interface SyncAccessHandle {
  read(target: Uint8Array, options: { at: number }): number;
  getSize(): number;
  write(data: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
type FileHandle = FileSystemFileHandle & {
  createSyncAccessHandle?: (options?: { mode: 'read-only' | 'readwrite' }) => Promise<SyncAccessHandle>;
  move(parent: FileSystemDirectoryHandle, name: string): Promise<void>;
};
type DirectoryHandle = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };

const isNotFound = (e: unknown) => e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');

/**
 * Records and state are replaced by moving a new file over the old one, so a reader sees one
 * version or the other; but `getFile()` on a handle looked up before the move answers NotFoundError
 * (the handle's file is gone) or NotReadableError (the snapshot changed before its bytes were read).
 * Measured in Chromium 156, 4 readers against one replacing writer: 13 % of plain reads failed so,
 * and the lookup itself never did. Such a read is the race, not a missing file: look up and read again.
 */
const isReplaced = (e: unknown) => e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'NotReadableError');
/** Waits before each new try; a writer replaces a small file in about a millisecond. */
const REPLACED_RETRY_MS = [0, 1, 5, 20, 50, 100, 200, 400];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The origin private file system as a `FileSystem`. Writes use a sync access handle where the
 * platform offers one (dedicated workers: one synchronous write, no swap file) and `createWritable`
 * elsewhere (the page). Reads go through `getFile()`, which any number of tabs may do at once.
 * `navigator.storage` is read on first use, never at import.
 */
export function opfsFileSystem(): FileSystem {
  let root: Promise<DirectoryHandle> | undefined;
  const parts = (path: string) => path.split('/').filter(Boolean);
  const dirOf = async (names: string[], create: boolean): Promise<DirectoryHandle | undefined> => {
    let dir = await (root ??= navigator.storage.getDirectory() as Promise<DirectoryHandle>);
    try {
      for (const name of names) dir = (await dir.getDirectoryHandle(name, { create })) as DirectoryHandle;
      return dir;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const fileOf = async (path: string, create: boolean): Promise<{ dir: DirectoryHandle; name: string; handle?: FileHandle }> => {
    const names = parts(path);
    const name = names.pop()!;
    const dir = await dirOf(names, create);
    if (!dir) return { dir: undefined as unknown as DirectoryHandle, name };
    try {
      return { dir, name, handle: (await dir.getFileHandle(name, { create })) as FileHandle };
    } catch (e) {
      if (isNotFound(e)) return { dir, name };
      throw e;
    }
  };
  const readFile = async (path: string): Promise<Uint8Array | undefined> => {
    for (let attempt = 0; ; attempt++) {
      const { handle } = await fileOf(path, false);
      if (!handle) return undefined;
      try {
        return new Uint8Array(await (await handle.getFile()).arrayBuffer());
      } catch (e) {
        if (!isReplaced(e)) throw e;
        if (attempt >= REPLACED_RETRY_MS.length) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
        await pause(REPLACED_RETRY_MS[attempt]!);
      }
    }
  };
  /** Workers: read with a sync access handle straight into the caller's buffer (shared 'read-only' mode, so tabs can read at once). */
  const readFileInto = async (path: string, target: Uint8Array) => {
    const { handle } = await fileOf(path, false);
    if (!handle) return undefined;
    let access: SyncAccessHandle;
    try {
      access = await handle.createSyncAccessHandle!({ mode: 'read-only' });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      // Held by a writer, or no read-only mode here: read a snapshot instead.
      const bytes = await readFile(path);
      if (!bytes) return undefined;
      target.set(bytes.subarray(0, target.byteLength));
      return bytes.byteLength;
    }
    try {
      const size = access.getSize();
      const limit = Math.min(size, target.byteLength);
      for (let done = 0, n = 1; done < limit && n > 0; done += n) n = access.read(target.subarray(done, limit), { at: done });
      return size;
    } finally {
      access.close();
    }
  };
  const writeFile = async (path: string, data: Uint8Array) => {
    const { handle } = await fileOf(path, true);
    if (handle!.createSyncAccessHandle) {
      const access = await handle!.createSyncAccessHandle();
      try {
        access.truncate(0);
        access.write(data, { at: 0 });
        access.flush();
      } finally {
        access.close();
      }
      return;
    }
    const writable = await handle!.createWritable();
    await writable.write(data as Uint8Array<ArrayBuffer>);
    await writable.close();
  };
  const syncHandles = typeof FileSystemFileHandle === 'function' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;
  return {
    readFile,
    ...(syncHandles ? { readFileInto } : {}),
    async readText(path) {
      const bytes = await readFile(path);
      return bytes && new TextDecoder().decode(bytes);
    },
    writeFile,
    writeText: (path, text) => writeFile(path, new TextEncoder().encode(text)),
    async rename(from, to) {
      const source = await fileOf(from, false);
      if (!source.handle) throw new DOMException(`${from} does not exist`, 'NotFoundError');
      const target = parts(to);
      const name = target.pop()!;
      // Chromium's move() replaces an existing target, so a record or state switches in one step.
      await source.handle.move((await dirOf(target, true))!, name);
    },
    async remove(path) {
      const names = parts(path);
      const name = names.pop()!;
      const dir = await dirOf(names, false);
      try {
        await dir?.removeEntry(name, { recursive: true });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async list(path) {
      const dir = await dirOf(parts(path), false);
      const names: string[] = [];
      if (dir) for await (const name of dir.keys()) names.push(name);
      return names;
    },
    async mkdir(path) {
      await dirOf(parts(path), true);
    },
  };
}

/**
 * The model store in the origin private file system: chunks, records and states as files under
 * `dir`, through the same `FileSystemStore` that serves Node and React Native.
 *
 * @example
 * const cache = new ModelCache(new OpfsStore('my-app-models'));
 */
export class OpfsStore extends FileSystemStore {
  override readonly kind: string = 'opfs';
  constructor(dir = 'edgewise-models') {
    super(opfsFileSystem(), dir);
  }

  /** True where this context can use OPFS (probes it; never throws). */
  static async available(): Promise<boolean> {
    try {
      if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory || typeof FileSystemFileHandle !== 'function') return false;
      if (!('move' in FileSystemFileHandle.prototype)) return false;
      // Throws where OPFS is switched off (some private modes, insecure contexts).
      await navigator.storage.getDirectory();
      return true;
    } catch {
      return false;
    }
  }
}
