/**
 * Test page for model delivery: a ModelCache over BrowserStore (`?store=opfs|indexeddb|auto`,
 * `?name=` for the storage), a worker with its own cache over the same storage, and a gate on chunk
 * reads (test-side, like a fault-injecting engine wrapper) to stop a load between choosing a version
 * and activating it.
 */
import type { CacheEvent, StoreAdapter } from '@edgewise/store';
import { makeCache, summarize, type LoadSummary, type Prefer } from './delivery-shared.js';

const params = new URLSearchParams(location.search);
const name = params.get('name') ?? 'edgewise-e2e';
const prefer = (params.get('store') ?? 'auto') as Prefer;
const events: CacheEvent[] = [];
let gate: Promise<void> | undefined;
let openGate = () => {};
let reached: (() => void) | undefined;
const gated = (adapter: StoreAdapter): StoreAdapter => {
  const getChunk: StoreAdapter['getChunk'] = async (key, index) => {
    if (gate) {
      reached?.();
      await gate;
    }
    return adapter.getChunk(key, index);
  };
  const readChunkInto: NonNullable<StoreAdapter['readChunkInto']> = async (key, index, into) => {
    if (gate) {
      reached?.();
      await gate;
    }
    return adapter.readChunkInto!(key, index, into);
  };
  return new Proxy(adapter, {
    get: (target, prop) => {
      if (prop === 'getChunk') return getChunk;
      if (prop === 'readChunkInto' && target.readChunkInto) return readChunkInto;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};
const { store, cache } = makeCache(name, prefer, events, gated);
let started: Promise<LoadSummary> | undefined;

const api = {
  load: (manifest: string, version?: string, revalidate?: 'background' | 'before-load') => summarize(store, cache, manifest, { version, revalidate }),
  loadInWorker: (manifest: string, version?: string) =>
    new Promise<LoadSummary>((resolve, reject) => {
      const worker = new Worker(new URL('./delivery-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<{ result?: LoadSummary; error?: string }>) => {
        worker.terminate();
        if (e.data.result) resolve(e.data.result);
        else reject(new Error(e.data.error));
      };
      worker.postMessage({ name, prefer, manifest, version });
    }),
  /** Starts a load whose chunk reads wait for openGate(); resolves once the load is waiting there. */
  startGatedLoad(manifest: string) {
    gate = new Promise((r) => (openGate = r));
    const blocked = new Promise<void>((r) => (reached = r));
    started = summarize(store, cache, manifest, {});
    return blocked;
  },
  finishGatedLoad() {
    gate = undefined;
    openGate();
    return started!;
  },
  rollback: (manifest: string) => cache.rollback(manifest),
  settled: () => cache.settled(),
  list: async () => (await cache.list()).map((r) => r.version).sort(),
  state: (manifest: string) => store.getState(manifest),
  chunkKeys: () => store.listChunkKeys(),
  /** Flips one byte of a stored chunk of `version`; returns that file's chunk key. */
  async tamper(manifest: string, version: string) {
    const record = (await store.getRecord(`${manifest}@${version}`))!;
    const key = record.files[0]!.chunkKey;
    const chunk = (await store.getChunk(key, 1))!;
    chunk[7] = chunk[7]! ^ 0xff;
    await store.putChunk(key, 1, chunk);
    return key;
  },
  events: () => events,
  kind: () => store.kind,
};
(window as unknown as { edgewise: typeof api }).edgewise = api;
document.body.dataset.ready = 'true';
