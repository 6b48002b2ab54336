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

/** One suite every StoreAdapter must pass (memory, fs and react-native-fs in Node; IndexedDB and OPFS in Chromium). */
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

    it('stores exactly the bytes of a view, not the buffer behind it', async () => {
      const store = await make();
      // Four 1 KiB views of one 4 KiB buffer, as a downloader holding the whole file would pass them.
      const file = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 255);
      for (let i = 0; i < 4; i++) await store.putChunk('view', i, file.subarray(i * 1024, (i + 1) * 1024));
      for (let i = 0; i < 4; i++) {
        const chunk = (await store.getChunk('view', i))!;
        expect(chunk.byteLength).toBe(1024);
        // A store that kept the view's whole buffer hands back 4 KiB behind each 1 KiB chunk.
        expect(chunk.buffer.byteLength).toBe(1024);
        expect(Array.from(chunk.subarray(0, 4))).toEqual(Array.from(file.subarray(i * 1024, i * 1024 + 4)));
      }
    });

    it('deletes a state, and keeps others', async () => {
      const store = await make();
      await store.putState({ model: 'download:u@1', revoked: [], download: { id: 'u@1', chunkSize: 1024, files: [] } });
      await store.putState({ model: 'u', revoked: [] });
      expect((await store.getState('download:u@1'))!.download).toEqual({ id: 'u@1', chunkSize: 1024, files: [] });
      await store.deleteState('download:u@1');
      await store.deleteState('never-written');
      expect(await store.getState('download:u@1')).toBeUndefined();
      expect(await store.getState('u')).toEqual({ model: 'u', revoked: [] });
    });

    it('reads a chunk straight into a buffer, where the store offers that', async () => {
      const store = await make();
      if (!store.readChunkInto) return;
      await store.putChunk('into', 0, Uint8Array.from([5, 6, 7, 8]));
      const out = new Uint8Array(6).fill(9);
      expect(await store.readChunkInto('into', 0, out.subarray(1, 5))).toBe(4);
      expect(Array.from(out)).toEqual([9, 5, 6, 7, 8, 9]);
      // A target shorter than the chunk: filled, and the real size reported so the caller sees the mismatch.
      const short = new Uint8Array(2);
      expect(await store.readChunkInto('into', 0, short)).toBe(4);
      expect(Array.from(short)).toEqual([5, 6]);
      expect(await store.readChunkInto('into', 1, new Uint8Array(4))).toBeUndefined();
      expect(await store.readChunkInto('absent', 0, new Uint8Array(4))).toBeUndefined();
    });

    it('keeps an empty chunk (a zero-byte file) apart from a missing one', async () => {
      const store = await make();
      await store.putChunk('empty', 0, new Uint8Array(0));
      expect((await store.getChunk('empty', 0))?.byteLength).toBe(0);
      expect(await store.getChunk('empty', 1)).toBeUndefined();
    });
  });
}
