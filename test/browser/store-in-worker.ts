import type { StoreAdapter } from '@edgewise/store';

/** A StoreAdapter whose every call runs in a dedicated worker (see workers/store-worker.ts). */
export async function storeInWorker(kind: 'opfs' | 'indexeddb', name: string): Promise<StoreAdapter & { syncAccessHandles: boolean }> {
  const worker = new Worker(new URL('./workers/store-worker.ts', import.meta.url), { type: 'module' });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.onmessage = (e: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
    const p = pending.get(e.data.id)!;
    pending.delete(e.data.id);
    if (e.data.error) p.reject(new Error(e.data.error));
    else p.resolve(e.data.result);
  };
  const call = (method: string, ...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  const { syncAccessHandles, readChunkInto } = (await call('open', kind, name)) as { syncAccessHandles: boolean; readChunkInto: boolean };
  const methods = ['putChunk', 'getChunk', 'deleteChunks', 'listChunkKeys', 'getRecord', 'putRecord', 'deleteRecord', 'listRecords', 'getState', 'putState', 'deleteState', 'clear'] as const;
  const adapter = Object.fromEntries(methods.map((m) => [m, (...args: unknown[]) => call(m, ...args)])) as unknown as StoreAdapter;
  if (readChunkInto) {
    adapter.readChunkInto = async (key, index, target) => {
      const { size, bytes } = (await call('readChunkInto', key, index, target.byteLength)) as { size: number | undefined; bytes: Uint8Array };
      if (size !== undefined) target.set(bytes);
      return size;
    };
  }
  return Object.assign(adapter, { kind: `${kind} (worker)`, syncAccessHandles });
}
