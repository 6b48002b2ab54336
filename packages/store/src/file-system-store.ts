import { decodeFileName, encodeFileName } from './file-names.js';
import type { FileSystem } from './file-system.js';
import type { InstalledVersion, ModelState, StoreAdapter } from './store-adapter.js';

/**
 * The model store on a file system: chunks, records and states as files under `dir`. Every write
 * goes beside its target and is renamed over it, so a crash never leaves a half-written file under
 * a real name (and a record, the install's atomic switch, is either the old or the new one).
 *
 * @example
 * // Node/Electron: new FsStore(dir) from @edgewise/node. React Native:
 * new FileSystemStore(reactNativeFileSystem(RNFS), `${RNFS.DocumentDirectoryPath}/models`)
 */
export class FileSystemStore implements StoreAdapter {
  readonly kind: string = 'fs';
  private ready: Promise<void> | undefined;
  get scope(): string {
    return `${this.kind}:${this.dir}`;
  }

  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
  ) {}

  private path(...parts: string[]): string {
    return [this.dir.replace(/\/+$/, ''), ...parts].join('/');
  }

  private init() {
    return (this.ready ??= Promise.all(['chunks', 'records', 'states'].map((d) => this.fs.mkdir(this.path(d)))).then(() => undefined));
  }

  private async writeAtomic(path: string, data: string | Uint8Array) {
    const tmp = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
    await (typeof data === 'string' ? this.fs.writeText(tmp, data) : this.fs.writeFile(tmp, data));
    await this.fs.rename(tmp, path);
  }

  private async readJson<T>(path: string): Promise<T | undefined> {
    const text = await this.fs.readText(path);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async putChunk(key: string, index: number, data: Uint8Array) {
    await this.init();
    const dir = this.path('chunks', encodeFileName(key));
    await this.fs.mkdir(dir);
    await this.writeAtomic(`${dir}/${index}.bin`, data);
  }
  async getChunk(key: string, index: number) {
    return this.fs.readFile(this.path('chunks', encodeFileName(key), `${index}.bin`));
  }
  async readChunkInto(key: string, index: number, target: Uint8Array) {
    const path = this.path('chunks', encodeFileName(key), `${index}.bin`);
    if (this.fs.readFileInto) return this.fs.readFileInto(path, target);
    const bytes = await this.fs.readFile(path);
    if (!bytes) return undefined;
    target.set(bytes.subarray(0, target.byteLength));
    return bytes.byteLength;
  }
  async deleteChunks(key: string) {
    await this.fs.remove(this.path('chunks', encodeFileName(key)));
  }
  async listChunkKeys() {
    await this.init();
    return (await this.fs.list(this.path('chunks'))).map(decodeFileName);
  }
  async getRecord(id: string) {
    return this.readJson<InstalledVersion>(this.path('records', `${encodeFileName(id)}.json`));
  }
  async putRecord(record: InstalledVersion) {
    await this.init();
    await this.writeAtomic(this.path('records', `${encodeFileName(record.id)}.json`), JSON.stringify(record));
  }
  async deleteRecord(id: string) {
    await this.fs.remove(this.path('records', `${encodeFileName(id)}.json`));
  }
  async listRecords() {
    await this.init();
    const names = (await this.fs.list(this.path('records'))).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map((n) => this.readJson<InstalledVersion>(this.path('records', n))));
    return records.filter((r): r is InstalledVersion => r !== undefined);
  }
  async getState(model: string) {
    return this.readJson<ModelState>(this.path('states', `${encodeFileName(model)}.json`));
  }
  async putState(state: ModelState) {
    await this.init();
    await this.writeAtomic(this.path('states', `${encodeFileName(state.model)}.json`), JSON.stringify(state));
  }
  async deleteState(model: string) {
    await this.fs.remove(this.path('states', `${encodeFileName(model)}.json`));
  }
  async clear() {
    await this.fs.remove(this.dir);
    this.ready = undefined;
  }
}
