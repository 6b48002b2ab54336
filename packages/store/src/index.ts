export { StoreError, type StoreErrorCode } from './errors.js';
export { parseManifest, resolveVersion, type Manifest, type ManifestFile, type ManifestVersion } from './manifest.js';
export type { InstalledVersion, ModelState, StoreAdapter, StoredFile } from './store-adapter.js';
export { MemoryStore } from './memory-store.js';
export { IndexedDBStore } from './indexeddb-store.js';
export { ModelCache, type CacheEvent, type CachedModel, type LoadFromManifestOptions, type ModelCacheOptions } from './model-cache.js';
export type { DownloadProgress } from './download.js';
export { sha256Hex } from './sha256.js';
