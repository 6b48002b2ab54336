/** The page's worker: its own ModelCache over the same storage, as @edgewise/web's worker has. */
import type { CacheEvent } from '@edgewise/store';
import { makeCache, summarize, type Prefer } from './delivery-shared.js';

self.onmessage = async (e: MessageEvent<{ name: string; prefer: Prefer; manifest: string; version?: string }>) => {
  const events: CacheEvent[] = [];
  const { store, cache } = makeCache(e.data.name, e.data.prefer, events);
  try {
    self.postMessage({ result: await summarize(store, cache, e.data.manifest, { version: e.data.version }) });
  } catch (error) {
    self.postMessage({ error: `${(error as Error).name}: ${(error as Error).message}` });
  }
};
