import type { InstalledVersion, StoreAdapter } from '@edgewise/store';
import { describe, expect, it } from 'vitest';

const record = (id: string, lastUsedAt = 1): InstalledVersion => ({
  id,
  model: id.split('@')[0]!,
  version: id.split('@')[1]!,
  engine: 'onnx',
  entry: 'model.onnx',
  files: [{ path: 'model.onnx', size: 3, sha256: 'a'.repeat(64), chunkKey: `${id}#model.onnx#k`, chunks: 1 }],
  bytes: 3,
  installedAt: 1,
  lastUsedAt,
  pinned: false,
});

/** One suite every StoreAdapter must pass (memory and fs in Node, IndexedDB in Chromium). */
export function storeAdapterContract(name: string, make: () => Promise<StoreAdapter>) {
  describe(`StoreAdapter contract: ${name}`, () => {
    it('stores chunks by key and index, returns copies, and deletes all of a key', async () => {
      const store = await make();
      const data = Uint8Array.from([1, 2, 3]);
      await store.putChunk('https://x/m.json@1.0.0#a', 0, data);
      await store.putChunk('https://x/m.json@1.0.0#a', 1, Uint8Array.from([4]));
      await store.putChunk('other', 0, Uint8Array.from([9]));
      data[0] = 42;
      expect(Array.from((await store.getChunk('https://x/m.json@1.0.0#a', 0))!)).toEqual([1, 2, 3]);
      expect(await store.getChunk('https://x/m.json@1.0.0#a', 7)).toBeUndefined();
      expect((await store.listChunkKeys()).sort()).toEqual(['https://x/m.json@1.0.0#a', 'other']);
      await store.deleteChunks('https://x/m.json@1.0.0#a');
      expect(await store.getChunk('https://x/m.json@1.0.0#a', 1)).toBeUndefined();
      expect(await store.getChunk('other', 0)).toBeDefined();
    });

    it('stores, lists and deletes records and states', async () => {
      const store = await make();
      await store.putRecord(record('u@1.0.0'));
      await store.putRecord(record('u@1.1.0', 5));
      expect((await store.getRecord('u@1.1.0'))!.lastUsedAt).toBe(5);
      expect((await store.listRecords()).map((r) => r.id).sort()).toEqual(['u@1.0.0', 'u@1.1.0']);
      await store.deleteRecord('u@1.0.0');
      expect(await store.getRecord('u@1.0.0')).toBeUndefined();
      await store.putState({ model: 'u', active: '1.1.0', previous: '1.0.0', revoked: ['0.9.0'] });
      expect(await store.getState('u')).toEqual({ model: 'u', active: '1.1.0', previous: '1.0.0', revoked: ['0.9.0'] });
      await store.clear();
      expect(await store.listRecords()).toEqual([]);
      expect(await store.getState('u')).toBeUndefined();
    });

    it('replaces a record, a state and a chunk written again under the same key', async () => {
      const store = await make();
      await store.putRecord(record('r@1.0.0', 1));
      await store.putRecord(record('r@1.0.0', 9)); // a touch (lastUsedAt) rewrites the record
      expect((await store.getRecord('r@1.0.0'))!.lastUsedAt).toBe(9);
      expect(await store.listRecords()).toHaveLength(1);
      await store.putState({ model: 'r', active: '1.0.0', revoked: [] });
      await store.putState({ model: 'r', active: '1.1.0', previous: '1.0.0', revoked: [] });
      expect((await store.getState('r'))!.active).toBe('1.1.0');
      await store.putChunk('k', 0, Uint8Array.from([1]));
      await store.putChunk('k', 0, Uint8Array.from([2, 3]));
      expect(Array.from((await store.getChunk('k', 0))!)).toEqual([2, 3]);
    });
  });
}
