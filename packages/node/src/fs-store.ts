import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledVersion, ModelState, StoreAdapter } from '@edgewise/store';

/** Keys contain URLs; encode them into safe, reversible file names. */
const encode = (key: string) => Buffer.from(key).toString('base64url');
const decode = (name: string) => Buffer.from(name, 'base64url').toString();

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes beside, then renames: a crash never leaves a half-written file under the real name. */
async function writeAtomic(path: string, data: string | Uint8Array) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * The model store on disk, for Node and Electron's main process: chunks, records and states as files
 * under `dir`.
 *
 * @example
 * const cache = new ModelCache(new FsStore(join(app.getPath('userData'), 'models')));
 */
export class FsStore implements StoreAdapter {
  readonly kind = 'fs';
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  private init() {
    return (this.ready ??= Promise.all(['chunks', 'records', 'states'].map((d) => mkdir(join(this.dir, d), { recursive: true }))).then(() => undefined));
  }

  async putChunk(key: string, index: number, data: Uint8Array) {
    await this.init();
    const dir = join(this.dir, 'chunks', encode(key));
    await mkdir(dir, { recursive: true });
    await writeAtomic(join(dir, `${index}.bin`), data);
  }
  async getChunk(key: string, index: number) {
    try {
      return new Uint8Array(await readFile(join(this.dir, 'chunks', encode(key), `${index}.bin`)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  async deleteChunks(key: string) {
    await rm(join(this.dir, 'chunks', encode(key)), { recursive: true, force: true });
  }
  async listChunkKeys() {
    await this.init();
    return (await readdir(join(this.dir, 'chunks'))).map(decode);
  }
  async getRecord(id: string) {
    return readJson<InstalledVersion>(join(this.dir, 'records', `${encode(id)}.json`));
  }
  async putRecord(record: InstalledVersion) {
    await this.init();
    await writeAtomic(join(this.dir, 'records', `${encode(record.id)}.json`), JSON.stringify(record));
  }
  async deleteRecord(id: string) {
    await rm(join(this.dir, 'records', `${encode(id)}.json`), { force: true });
  }
  async listRecords() {
    await this.init();
    const names = (await readdir(join(this.dir, 'records'))).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map((n) => readJson<InstalledVersion>(join(this.dir, 'records', n))));
    return records.filter((r): r is InstalledVersion => r !== undefined);
  }
  async getState(model: string) {
    return readJson<ModelState>(join(this.dir, 'states', `${encode(model)}.json`));
  }
  async putState(state: ModelState) {
    await this.init();
    await writeAtomic(join(this.dir, 'states', `${encode(state.model)}.json`), JSON.stringify(state));
  }
  async clear() {
    await rm(this.dir, { recursive: true, force: true });
    this.ready = undefined;
  }
}
