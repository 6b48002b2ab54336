import { BrowserStore, IndexedDBStore, OpfsStore } from '@edgewise/store';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { storeAdapterContract } from '../contract/store-adapter-contract.js';
import { storeInWorker } from './store-in-worker.js';

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${n++}`;

storeAdapterContract('indexeddb', async () => new IndexedDBStore(unique('edgewise-contract')));
storeAdapterContract('indexeddb in a worker', () => storeInWorker('indexeddb', unique('edgewise-contract-w')));
// The page has only the async OPFS API (createWritable); dedicated workers also have sync access handles.
storeAdapterContract('opfs (page: createWritable)', async () => new OpfsStore(unique('edgewise-contract-opfs')));
storeAdapterContract('opfs in a worker (sync access handles)', async () => {
  const store = await storeInWorker('opfs', unique('edgewise-contract-opfs-w'));
  expect(store.syncAccessHandles).toBe(true);
  return store;
});

describe('browser stores', () => {
  it('BrowserStore picks OPFS where this context has it', async () => {
    expect(await OpfsStore.available()).toBe(true);
    const store = new BrowserStore(unique('edgewise-auto'));
    await store.listRecords();
    expect(store.kind).toBe('opfs');
    const forced = new BrowserStore(unique('edgewise-auto'), 'indexeddb');
    await forced.listRecords();
    expect(forced.kind).toBe('indexeddb');
  });

  it('IndexedDB stores each chunk as its own bytes, not the buffer behind the view (linear, not quadratic)', async () => {
    const name = unique('edgewise-growth');
    const store = new IndexedDBStore(name);
    // 16 chunks of 1 MiB, each a view of one 16 MiB file: stored as the views' buffers this is 256 MiB.
    const file = new Uint8Array(16 << 20).map((_, i) => i & 255);
    for (let i = 0; i < 16; i++) await store.putChunk('big', i, file.subarray(i << 20, (i + 1) << 20));
    // Read the raw stored values, past the adapter, so a copy on the way out cannot hide the bloat.
    const db = await openDB(name);
    const rows = (await db.getAll('chunks')) as Array<{ index: number; data: Uint8Array }>;
    db.close();
    expect(rows).toHaveLength(16);
    for (const row of rows) {
      expect(row.data.byteLength).toBe(1 << 20);
      expect(row.data.buffer.byteLength).toBe(1 << 20);
      expect(row.data[0]).toBe(file[row.index << 20]);
    }
    await store.clear();
  });
});
