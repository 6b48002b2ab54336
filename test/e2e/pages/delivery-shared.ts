import { BrowserStore, ModelCache, sha256Hex, type CacheEvent, type LoadFromManifestOptions, type StoreAdapter } from '@edgewise/store';

export type Prefer = 'auto' | 'opfs' | 'indexeddb';
export interface LoadSummary {
  version: string;
  fromCache: boolean;
  sha256: string;
  bytes: number;
  progress: Array<{ loaded: number; total: number }>;
  kind: string;
}

export const CHUNK = 256 * 1024;

export function makeCache(name: string, prefer: Prefer, events: CacheEvent[], wrap: (a: StoreAdapter) => StoreAdapter = (a) => a) {
  const store = new BrowserStore(name, prefer);
  return { store, cache: new ModelCache(wrap(store), { chunkSize: CHUNK, onEvent: (e) => events.push(e) }) };
}

export async function summarize(store: BrowserStore, cache: ModelCache, manifest: string, options: Pick<LoadFromManifestOptions, 'version' | 'revalidate'>): Promise<LoadSummary> {
  const progress: LoadSummary['progress'] = [];
  const model = await cache.load(manifest, { ...options, onProgress: (p) => progress.push({ loaded: p.loaded, total: p.total }) });
  const entry = model.files[model.entry]!;
  return { version: model.version, fromCache: model.fromCache, sha256: await sha256Hex(entry), bytes: entry.byteLength, progress, kind: store.kind };
}
