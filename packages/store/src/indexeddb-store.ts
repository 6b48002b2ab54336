import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { InstalledVersion, ModelState, StoreAdapter } from './store-adapter.js';

interface EdgewiseDB extends DBSchema {
  chunks: { key: [string, number]; value: { key: string; index: number; data: Uint8Array } };
  records: { key: string; value: InstalledVersion };
  states: { key: string; value: ModelState };
}

/**
 * IndexedDB through idb. Works in pages and in workers. Files are stored as chunks (default 4 MiB)
 * so a large model never needs one huge IDB value. indexedDB is read when the store is opened, never
 * at import, so importing this module is safe in Node.
 *
 * @example
 * const cache = new ModelCache(new IndexedDBStore('my-app-models'));
 */
export class IndexedDBStore implements StoreAdapter {
  readonly kind = 'indexeddb';
  get scope(): string {
    return `indexeddb:${this.name}`;
  }
  private db: Promise<IDBPDatabase<EdgewiseDB>> | undefined;

  constructor(readonly name = 'edgewise-models') {}

  private open() {
    return (this.db ??= openDB<EdgewiseDB>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('chunks', { keyPath: ['key', 'index'] });
        db.createObjectStore('records', { keyPath: 'id' });
        db.createObjectStore('states', { keyPath: 'model' });
      },
    }));
  }

  async putChunk(key: string, index: number, data: Uint8Array) {
    // Structured clone keeps a view's whole buffer: a 4 MiB view of a 256 MiB file would store 256 MiB.
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    await (await this.open()).put('chunks', { key, index, data: own });
  }
  async getChunk(key: string, index: number) {
    return (await (await this.open()).get('chunks', [key, index]))?.data;
  }
  async deleteChunks(key: string) {
    const db = await this.open();
    await db.delete('chunks', IDBKeyRange.bound([key, 0], [key, Infinity]));
  }
  async listChunkKeys() {
    const keys = await (await this.open()).getAllKeys('chunks');
    return [...new Set(keys.map(([key]) => key))];
  }
  async getRecord(id: string) {
    return (await this.open()).get('records', id);
  }
  async putRecord(record: InstalledVersion) {
    await (await this.open()).put('records', record);
  }
  async deleteRecord(id: string) {
    await (await this.open()).delete('records', id);
  }
  async listRecords() {
    return (await this.open()).getAll('records');
  }
  async getState(model: string) {
    return (await this.open()).get('states', model);
  }
  async putState(state: ModelState) {
    await (await this.open()).put('states', state);
  }
  async deleteState(model: string) {
    await (await this.open()).delete('states', model);
  }
  async clear() {
    const db = await this.open();
    const tx = db.transaction(['chunks', 'records', 'states'], 'readwrite');
    await Promise.all([tx.objectStore('chunks').clear(), tx.objectStore('records').clear(), tx.objectStore('states').clear(), tx.done]);
  }
}
