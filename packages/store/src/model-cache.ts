import { downloadFile, type DownloadProgress } from './download.js';
import { StoreError } from './errors.js';
import { parseManifest, resolveVersion, type Manifest } from './manifest.js';
import { sha256Hex } from './sha256.js';
import type { InstalledVersion, ModelState, StoreAdapter, StoredFile } from './store-adapter.js';

export type CacheEvent =
  | { type: 'installed'; id: string; bytes: number }
  | { type: 'served-from-cache'; id: string }
  | { type: 'offline'; id: string; reason: string }
  | { type: 'corrupted'; id: string; file: string; reason: string }
  | { type: 'evicted'; id: string; bytes: number }
  | { type: 'revoked-removed'; id: string };

export interface ModelCacheOptions {
  fetch?: typeof fetch;
  /** Bytes per stored chunk (default 4 MiB). */
  chunkSize?: number;
  /** Storage estimate; default navigator.storage.estimate() where it exists. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  /** This device's rollout bucket in [0, 100); default: random, kept in the store. */
  bucket?: number;
  onEvent?: (event: CacheEvent) => void;
}

export interface LoadFromManifestOptions {
  /** 'latest' (default) or an exact version. */
  version?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** What a load hands to an engine. */
export interface CachedModel {
  id: string;
  version: string;
  engine: string;
  entry: string;
  files: Record<string, Uint8Array>;
  /** Baseline URL from the manifest, resolved against it. */
  baselineUrl?: string;
  fromCache: boolean;
}

const isQuotaError = (e: unknown) => e instanceof Error && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));

/**
 * Versioned model cache over any StoreAdapter: resolves a version from a manifest, serves it from
 * the store when present and intact (SHA-256 checked on every load), else downloads it with progress,
 * verifies it and installs it atomically. Works offline from the newest valid cached version.
 *
 * @example
 * const cache = new ModelCache(new IndexedDBStore());
 * const m = await cache.load('/models/mnist/manifest.json', { onProgress: (p) => bar(p.loaded / p.total) });
 */
export class ModelCache {
  private readonly fetchImpl: typeof fetch;
  private readonly chunkSize: number;

  constructor(
    readonly adapter: StoreAdapter,
    private readonly options: ModelCacheOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1024) throw new RangeError(`ModelCache: chunkSize must be an integer ≥ 1024; received ${this.chunkSize}.`);
  }

  async load(url: string, options: LoadFromManifestOptions = {}): Promise<CachedModel> {
    const manifestUrl = absoluteUrl(url);
    const requested = options.version ?? 'latest';
    let manifest: Manifest;
    try {
      manifest = await this.fetchManifest(manifestUrl, options.signal);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'E_DOWNLOAD') return this.loadOffline(manifestUrl, requested, error.message);
      throw error;
    }
    const state = (await this.adapter.getState(manifestUrl)) ?? { model: manifestUrl, revoked: [] };
    state.revoked = manifest.revoked;
    await this.removeRevoked(manifestUrl, manifest.revoked);
    let version = resolveVersion(manifest, requested, await this.bucket());
    if (requested === 'latest' && state.rolledBackFrom) {
      // Stay on the rolled-back-to version until the manifest moves past the one rolled back from.
      if (state.rolledBackFrom === version && state.active && !manifest.revoked.includes(state.active)) version = state.active;
      else if (state.rolledBackFrom !== version) delete state.rolledBackFrom;
    }
    const id = `${manifestUrl}@${version}`;
    const existing = await this.adapter.getRecord(id);
    if (existing) {
      const files = await this.readVerified(existing);
      if (files) {
        await this.activate(state, existing);
        this.emit({ type: 'served-from-cache', id });
        return toCachedModel(existing, files, true);
      }
    }
    const record = await this.install(manifestUrl, manifest, version, options);
    const files = await this.readVerified(record);
    if (!files) throw new StoreError('E_INTEGRITY', `${id} failed verification right after install: the store is not keeping what it is given.`);
    await this.activate(state, record);
    return toCachedModel(record, files, false);
  }

  /** Installed versions, newest use first. */
  async list(): Promise<InstalledVersion[]> {
    return (await this.adapter.listRecords()).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  /** Pinned versions are never evicted for space. */
  async pin(url: string, version: string, pinned = true): Promise<void> {
    const record = await this.requireRecord(absoluteUrl(url), version);
    await this.adapter.putRecord({ ...record, pinned });
  }

  async remove(url: string, version: string): Promise<void> {
    const record = await this.requireRecord(absoluteUrl(url), version);
    await this.deleteVersion(record);
  }

  async clear(): Promise<void> {
    await this.adapter.clear();
  }

  /**
   * Switches the model back to the previously active cached version, at once and offline. 'latest'
   * then avoids the version rolled back from until the manifest names a different latest.
   */
  async rollback(url: string): Promise<string> {
    const manifestUrl = absoluteUrl(url);
    const state = await this.adapter.getState(manifestUrl);
    if (!state?.previous || !state.active) throw new StoreError('E_NOT_CACHED', `${manifestUrl} has no previous cached version to roll back to.`);
    const previous = await this.requireRecord(manifestUrl, state.previous);
    await this.adapter.putState({ ...state, active: previous.version, previous: state.active, rolledBackFrom: state.active });
    return previous.version;
  }

  /** Asks the browser to keep this origin's storage under pressure (navigator.storage.persist). */
  async persist(): Promise<boolean> {
    return (await globalThis.navigator?.storage?.persist?.()) ?? false;
  }

  /** Deletes chunks that no installed version points at (left by a crash mid-install). */
  async collectGarbage(): Promise<number> {
    const live = new Set((await this.adapter.listRecords()).flatMap((r) => r.files.map((f) => f.chunkKey)));
    const orphans = (await this.adapter.listChunkKeys()).filter((k) => !live.has(k));
    await Promise.all(orphans.map((k) => this.adapter.deleteChunks(k)));
    return orphans.length;
  }

  /** Record first: once it is gone the version is not installed, whatever happens to its chunks. */
  private async deleteVersion(record: InstalledVersion): Promise<void> {
    await this.adapter.deleteRecord(record.id);
    await Promise.all(record.files.map((f) => this.adapter.deleteChunks(f.chunkKey)));
  }

  private emit(event: CacheEvent) {
    this.options.onEvent?.(event);
  }

  private async bucket(): Promise<number> {
    if (this.options.bucket !== undefined) return this.options.bucket;
    const state = await this.adapter.getState('device');
    if (state?.bucket !== undefined) return state.bucket;
    const bucket = Math.floor(Math.random() * 100);
    await this.adapter.putState({ model: 'device', revoked: [], bucket });
    return bucket;
  }

  private async fetchManifest(url: string, signal?: AbortSignal): Promise<Manifest> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { signal, cache: 'no-cache' });
    } catch (cause) {
      throw new StoreError('E_DOWNLOAD', `manifest ${url} unreachable (${(cause as Error).message})`, { cause });
    }
    if (response.status >= 500) throw new StoreError('E_DOWNLOAD', `manifest ${url} answered HTTP ${response.status}`);
    if (!response.ok) throw new StoreError('E_MANIFEST', `manifest ${url} answered HTTP ${response.status} ${response.statusText}`);
    let json: unknown;
    try {
      json = await response.json();
    } catch (cause) {
      throw new StoreError('E_MANIFEST', `manifest ${url} is not JSON`, { cause });
    }
    return parseManifest(json, `manifest ${url}`);
  }

  private async loadOffline(manifestUrl: string, requested: string, reason: string): Promise<CachedModel> {
    const state = await this.adapter.getState(manifestUrl);
    const revoked = new Set(state?.revoked ?? []);
    const candidates = (await this.adapter.listRecords())
      .filter((r) => r.model === manifestUrl && !revoked.has(r.version))
      .filter((r) => requested === 'latest' || r.version === requested)
      .sort((a, b) => Number(b.version === state?.active) - Number(a.version === state?.active) || b.installedAt - a.installedAt);
    for (const record of candidates) {
      const files = await this.readVerified(record);
      if (!files) continue;
      this.emit({ type: 'offline', id: record.id, reason });
      return toCachedModel(record, files, true);
    }
    throw new StoreError('E_NOT_CACHED', `${manifestUrl} is unreachable (${reason}) and no valid${requested === 'latest' ? '' : ` ${requested}`} version is cached.`);
  }

  private async removeRevoked(manifestUrl: string, revoked: string[]) {
    for (const version of revoked) {
      const record = await this.adapter.getRecord(`${manifestUrl}@${version}`);
      if (!record) continue;
      await this.deleteVersion(record);
      this.emit({ type: 'revoked-removed', id: record.id });
    }
  }

  private async activate(state: ModelState, record: InstalledVersion) {
    await this.adapter.putRecord({ ...record, lastUsedAt: Date.now() });
    if (state.active !== record.version) {
      state.previous = state.active;
      state.active = record.version;
    }
    await this.adapter.putState(state);
  }

  /** Reads and checks every file; a bad one is reported, the version deleted, and undefined returned. */
  private async readVerified(record: InstalledVersion): Promise<Record<string, Uint8Array> | undefined> {
    const files: Record<string, Uint8Array> = {};
    for (const file of record.files) {
      const bytes = await this.readFile(file);
      const actual = bytes && bytes.byteLength === file.size ? await sha256Hex(bytes) : undefined;
      if (actual !== file.sha256) {
        const reason = !bytes ? 'missing chunks' : bytes.byteLength !== file.size ? `${bytes.byteLength} of ${file.size} bytes` : `SHA-256 ${actual} ≠ ${file.sha256}`;
        this.emit({ type: 'corrupted', id: record.id, file: file.path, reason });
        await this.deleteVersion(record);
        return undefined;
      }
      files[file.path] = bytes!;
    }
    return files;
  }

  private async readFile(file: StoredFile): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(file.size);
    let offset = 0;
    for (let i = 0; i < file.chunks; i++) {
      const chunk = await this.adapter.getChunk(file.chunkKey, i);
      if (!chunk) return undefined;
      // More bytes than recorded: return them all so the size check names the problem.
      if (offset + chunk.byteLength > file.size) return new Uint8Array(offset + chunk.byteLength);
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return offset === file.size ? out : out.subarray(0, offset);
  }

  private async install(manifestUrl: string, manifest: Manifest, version: string, options: LoadFromManifestOptions): Promise<InstalledVersion> {
    const spec = manifest.versions[version]!;
    const id = `${manifestUrl}@${version}`;
    const total = spec.files.reduce((s, f) => s + f.size, 0);
    await this.ensureSpace(total, manifestUrl);
    const files: StoredFile[] = [];
    let loaded = 0;
    const staged: string[] = [];
    try {
      for (const file of spec.files) {
        const url = new URL(file.path, manifestUrl).href;
        const bytes = await downloadFile(url, file.size, this.fetchImpl, (n) => options.onProgress?.({ loaded: (loaded += n), total, file: file.path }), options.signal);
        const actual = await sha256Hex(bytes);
        if (actual !== file.sha256) throw new StoreError('E_INTEGRITY', `${url}: SHA-256 ${actual} does not match the manifest's ${file.sha256}; nothing was installed.`);
        // A fresh key per install: a crash mid-way leaves only chunks no record points at.
        const chunkKey = `${id}#${file.path}#${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
        staged.push(chunkKey);
        const chunks = Math.max(1, Math.ceil(bytes.byteLength / this.chunkSize));
        for (let i = 0; i < chunks; i++) await this.putChunkWithEviction(chunkKey, i, bytes.subarray(i * this.chunkSize, (i + 1) * this.chunkSize), manifestUrl);
        files.push({ path: file.path, size: file.size, sha256: file.sha256, chunkKey, chunks });
      }
    } catch (error) {
      await Promise.all(staged.map((k) => this.adapter.deleteChunks(k).catch(() => undefined)));
      throw error;
    }
    const now = Date.now();
    const record: InstalledVersion = { id, model: manifestUrl, version, engine: spec.engine, entry: spec.entry, files, bytes: total, installedAt: now, lastUsedAt: now, pinned: false };
    if (spec.baseline) record.baseline = new URL(spec.baseline, manifestUrl).href;
    // The switch: until this record exists, the version is not installed.
    await this.adapter.putRecord(record);
    this.emit({ type: 'installed', id, bytes: total });
    return record;
  }

  private async putChunkWithEviction(key: string, index: number, data: Uint8Array, keep: string) {
    try {
      await this.adapter.putChunk(key, index, data);
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      if (!(await this.evictOne(keep))) throw new StoreError('E_QUOTA', `Storage is full and nothing unpinned is left to evict (writing ${key}).`, { cause: error });
      await this.putChunkWithEviction(key, index, data, keep);
    }
  }

  /** Frees space before a download when the browser's estimate says it will not fit. */
  private async ensureSpace(bytes: number, keep: string) {
    const storage = globalThis.navigator?.storage as StorageManager | undefined;
    const estimate = this.options.estimate ?? (storage?.estimate ? () => storage.estimate() : undefined);
    if (!estimate) return;
    for (;;) {
      const { usage = 0, quota = Infinity } = await estimate();
      if (quota - usage >= bytes) return;
      if (!(await this.evictOne(keep))) {
        throw new StoreError('E_QUOTA', `Needs ${bytes} bytes but only ${quota - usage} are free, and no unpinned cached version is left to evict.`);
      }
    }
  }

  /** Evicts the least recently used unpinned version that is not the active version of `keep`. */
  private async evictOne(keep: string): Promise<boolean> {
    const active = (await this.adapter.getState(keep))?.active;
    const victims = (await this.adapter.listRecords())
      .filter((r) => !r.pinned && !(r.model === keep && r.version === active))
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const victim = victims[0];
    if (!victim) return false;
    await this.deleteVersion(victim);
    this.emit({ type: 'evicted', id: victim.id, bytes: victim.bytes });
    return true;
  }

  private async requireRecord(manifestUrl: string, version: string): Promise<InstalledVersion> {
    const record = await this.adapter.getRecord(`${manifestUrl}@${version}`);
    if (!record) throw new StoreError('E_NOT_CACHED', `${manifestUrl}@${version} is not cached.`);
    return record;
  }
}

/** Cache keys are absolute URLs, so '/m.json' on a page and its absolute form in a worker agree. */
function absoluteUrl(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url;
  }
}

function toCachedModel(record: InstalledVersion, files: Record<string, Uint8Array>, fromCache: boolean): CachedModel {
  const model: CachedModel = { id: record.id, version: record.version, engine: record.engine, entry: record.entry, files, fromCache };
  if (typeof record.baseline === 'string') model.baselineUrl = record.baseline;
  return model;
}
