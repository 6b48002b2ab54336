/**
 * A dedicated worker hosting a store adapter (OPFS with sync access handles, or IndexedDB), driven
 * method by method over postMessage so the same contract suite runs on the worker-side code path.
 */
import { IndexedDBStore, OpfsStore, type StoreAdapter } from '@edgewise/store';

let store: StoreAdapter | undefined;
self.onmessage = async (event: MessageEvent<{ id: number; method: string; args: unknown[] }>) => {
  const { id, method, args } = event.data;
  try {
    let result: unknown;
    if (method === 'open') {
      const [kind, name] = args as [string, string];
      store = kind === 'opfs' ? new OpfsStore(name) : new IndexedDBStore(name);
      result = { readChunkInto: typeof store.readChunkInto === 'function', syncAccessHandles: typeof FileSystemFileHandle === 'function' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype };
    } else if (method === 'readChunkInto') {
      // Buffers do not come back from a worker by reference: read into a copy and send it back.
      const [key, index, length] = args as [string, number, number];
      const target = new Uint8Array(length);
      result = { size: await store!.readChunkInto!(key, index, target), bytes: target };
    } else result = await (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
};
