import { StoreError, isQuotaError } from './errors.js';
import type { InstalledVersion, StoreAdapter } from './store-adapter.js';

export type StorageEstimate = () => Promise<{ usage?: number; quota?: number }>;

/**
 * Keeps installs inside the storage quota: checks the estimate before a download and, when space is
 * short or a write throws QuotaExceededError, evicts the least recently used unpinned version
 * (never the active version of the model being installed).
 */
export class SpaceManager {
  constructor(
    private readonly adapter: StoreAdapter,
    /** Deletes a version (under the cache's lock) and reports it. */
    private readonly evict: (victim: InstalledVersion) => Promise<void>,
    private readonly estimate?: StorageEstimate,
  ) {}

  /** Frees space before a download when the estimate says `bytes` will not fit. */
  async ensure(bytes: number, keep: string): Promise<void> {
    const estimate = this.estimate ?? browserEstimate();
    if (!estimate) return;
    for (;;) {
      const { usage = 0, quota = Infinity } = await estimate();
      if (quota - usage >= bytes) return;
      if (!(await this.evictOne(keep))) {
        throw new StoreError('E_QUOTA', `Needs ${bytes} bytes but only ${quota - usage} are free, and no unpinned cached version is left to evict.`);
      }
    }
  }

  /** Writes one chunk, evicting and retrying while the store is full. */
  async putChunk(key: string, index: number, data: Uint8Array, keep: string): Promise<void> {
    for (;;) {
      try {
        return await this.adapter.putChunk(key, index, data);
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        if (!(await this.evictOne(keep))) throw new StoreError('E_QUOTA', `Storage is full and nothing unpinned is left to evict (writing ${key}).`, { cause: error });
      }
    }
  }

  private async evictOne(keep: string): Promise<boolean> {
    const active = (await this.adapter.getState(keep))?.active;
    const victim = (await this.adapter.listRecords())
      .filter((r) => !r.pinned && !(r.model === keep && r.version === active))
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    if (!victim) return false;
    await this.evict(victim);
    return true;
  }
}

function browserEstimate(): StorageEstimate | undefined {
  const storage = globalThis.navigator?.storage as StorageManager | undefined;
  return storage?.estimate ? () => storage.estimate() : undefined;
}
