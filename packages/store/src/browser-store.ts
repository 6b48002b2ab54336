import { IndexedDBStore } from './indexeddb-store.js';
import { OpfsStore } from './opfs-store.js';
import type { InstalledVersion, ModelState, StoreAdapter } from './store-adapter.js';

/**
 * The browser's best store, picked on first use: OPFS where this context has it (with move(), so
 * records switch atomically), else IndexedDB. The page and its worker pick the same where both have
 * OPFS, and share one storage, locks and announcements.
 *
 * @example
 * const cache = new ModelCache(new BrowserStore('my-app-models'));
 */
export class BrowserStore implements StoreAdapter {
  private picked: Promise<StoreAdapter> | undefined;
  private chosen: StoreAdapter | undefined;

  constructor(
    readonly name = 'edgewise-models',
    private readonly prefer: 'auto' | 'opfs' | 'indexeddb' = 'auto',
  ) {}

  /** 'opfs' or 'indexeddb' once picked; 'browser' before the first call. */
  get kind(): string {
    return this.chosen?.kind ?? 'browser';
  }
  /** Both candidates under one scope, so a page on OPFS and a worker on IndexedDB still share locks. */
  get scope(): string {
    return `browser:${this.name}`;
  }

  /** The adapter in use (picks it if not yet done). */
  adapter(): Promise<StoreAdapter> {
    return (this.picked ??= (async () => {
      const opfs = this.prefer !== 'indexeddb' && (await OpfsStore.available());
      return (this.chosen = opfs ? new OpfsStore(this.name) : new IndexedDBStore(this.name));
    })());
  }

  async putChunk(key: string, index: number, data: Uint8Array) {
    return (await this.adapter()).putChunk(key, index, data);
  }
  async getChunk(key: string, index: number) {
    return (await this.adapter()).getChunk(key, index);
  }
  /** Straight into `target` where the picked store can (OPFS in a worker), else one copy from getChunk. */
  async readChunkInto(key: string, index: number, target: Uint8Array) {
    const adapter = await this.adapter();
    if (adapter.readChunkInto) return adapter.readChunkInto(key, index, target);
    const chunk = await adapter.getChunk(key, index);
    if (!chunk) return undefined;
    target.set(chunk.subarray(0, target.byteLength));
    return chunk.byteLength;
  }
  async deleteChunks(key: string) {
    return (await this.adapter()).deleteChunks(key);
  }
  async listChunkKeys() {
    return (await this.adapter()).listChunkKeys();
  }
  async getRecord(id: string) {
    return (await this.adapter()).getRecord(id);
  }
  async putRecord(record: InstalledVersion) {
    return (await this.adapter()).putRecord(record);
  }
  async deleteRecord(id: string) {
    return (await this.adapter()).deleteRecord(id);
  }
  async listRecords() {
    return (await this.adapter()).listRecords();
  }
  async getState(model: string) {
    return (await this.adapter()).getState(model);
  }
  async putState(state: ModelState) {
    return (await this.adapter()).putState(state);
  }
  async deleteState(model: string) {
    return (await this.adapter()).deleteState(model);
  }
  async clear() {
    return (await this.adapter()).clear();
  }
}
