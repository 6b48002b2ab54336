import type { InstalledVersion, ModelState, StoreAdapter } from './store-adapter.js';

/**
 * An in-memory store, for tests of pure logic and for apps that want no persistence. Copies on the
 * way in and out, as a real store would, so callers cannot mutate what is stored.
 */
export class MemoryStore implements StoreAdapter {
  readonly kind = 'memory';
  private chunks = new Map<string, Map<number, Uint8Array>>();
  private records = new Map<string, InstalledVersion>();
  private states = new Map<string, ModelState>();

  async putChunk(key: string, index: number, data: Uint8Array) {
    let m = this.chunks.get(key);
    if (!m) this.chunks.set(key, (m = new Map()));
    m.set(index, data.slice());
  }
  async getChunk(key: string, index: number) {
    return this.chunks.get(key)?.get(index)?.slice();
  }
  async deleteChunks(key: string) {
    this.chunks.delete(key);
  }
  async listChunkKeys() {
    return [...this.chunks.keys()];
  }
  async getRecord(id: string) {
    return structuredClone(this.records.get(id));
  }
  async putRecord(record: InstalledVersion) {
    this.records.set(record.id, structuredClone(record));
  }
  async deleteRecord(id: string) {
    this.records.delete(id);
  }
  async listRecords() {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  async getState(model: string) {
    return structuredClone(this.states.get(model));
  }
  async putState(state: ModelState) {
    this.states.set(state.model, structuredClone(state));
  }
  async deleteState(model: string) {
    this.states.delete(model);
  }
  async clear() {
    this.chunks.clear();
    this.records.clear();
    this.states.clear();
  }
}
