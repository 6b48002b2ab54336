import { defaultCoordinator, type Coordinator } from './coordination.js';
import type { DownloadProgress } from './download.js';
import { StoreError } from './errors.js';
import { DEFAULT_LIMITS, checkLimits, type ModelLimits } from './limits.js';
import type { Manifest } from './manifest.js';
import { fetchManifest, type UnavailableReason } from './manifest-fetch.js';
import { SpaceManager, type StorageEstimate } from './space-manager.js';
import type { InstalledVersion, ModelState, StoreAdapter } from './store-adapter.js';
import * as policy from './version-policy.js';
import { VersionStore } from './version-store.js';

export type CacheEvent =
  | { type: 'installed'; id: string; bytes: number }
  | { type: 'served-from-cache'; id: string }
  /** Served from the cache because the manifest could not be used; `reason` says why, `detail` names the URL and what came back. */
  | { type: 'offline'; id: string; reason: UnavailableReason; detail: string }
  /** A background manifest check (after serving from the cache) could not be completed. */
  | { type: 'revalidation-failed'; url: string; reason: UnavailableReason | 'error'; detail: string }
  /** A background check found, installed and activated a new version: the next load uses it. */
  | { type: 'update-ready'; id: string; version: string; previous?: string }
  /** Another tab or worker over the same storage activated a version. */
  | { type: 'activated-elsewhere'; model: string; version: string }
  | { type: 'corrupted'; id: string; file: string; reason: string }
  | { type: 'evicted'; id: string; bytes: number }
  | { type: 'revoked-removed'; id: string };

/**
 * - 'background' (default, stale-while-revalidate): a cached version loads at once; the manifest is
 *   checked afterwards and an update is installed then and used on the next load ('update-ready').
 * - 'before-load': every load waits for the manifest first, so an update is used at once.
 */
export type Revalidate = 'background' | 'before-load';

export interface ModelCacheOptions {
  fetch?: typeof fetch;
  /** Bytes per stored chunk (default 4 MiB). */
  chunkSize?: number;
  /** Storage estimate; default navigator.storage.estimate() where it exists. */
  estimate?: StorageEstimate;
  /** This device's rollout bucket in [0, 100); default: random, kept in the store. */
  bucket?: number;
  onEvent?: (event: CacheEvent) => void;
  revalidate?: Revalidate;
  /** 'every-load' (default): SHA-256 of every file as it is read. 'install': sizes only on load; `verify()` checks fully, e.g. on a schedule. */
  verify?: 'every-load' | 'install';
  /** Resumed attempts after a connection drops mid-file (default 3). */
  retries?: number;
  limits?: Partial<ModelLimits>;
  /** Locks and announcements; default Web Locks + BroadcastChannel in browsers, in-process elsewhere. */
  coordinator?: Coordinator;
}

export interface LoadFromManifestOptions {
  /** 'latest' (default) or an exact version. */
  version?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  revalidate?: Revalidate;
}

/** What a load hands to an engine: every file of the version, each in one buffer. */
export interface CachedModel {
  id: string;
  version: string;
  engine: string;
  entry: string;
  files: Record<string, Uint8Array>;
  /** Baseline URL from the manifest, resolved against it. */
  baselineUrl?: string;
  /**
   * The baseline's bytes when the manifest lists its path among the version's files: verified with
   * them and served from the cache, so a monitor that takes the manifest's baseline loads offline.
   */
  baseline?: Uint8Array;
  fromCache: boolean;
  /**
   * Present when this is a canary: 'latest' reached the manifest's rollout version on this device,
   * and `previous` (the version active before it) is still cached, so it can be compared and rolled back to.
   */
  canary?: { previous: string };
}

/** Lock names: one per version being installed, one for every read-modify-write of records and states. */
const META = 'meta';
const installLock = (id: string) => `install:${id}`;

/**
 * Versioned model cache over any StoreAdapter. A cached version loads at once and the manifest is
 * checked in the background; otherwise the version is streamed from the network into the store,
 * verified (SHA-256) and installed atomically, resuming an interrupted download. Installs and
 * activations are serialized across tabs and workers; offline, the newest valid cached version serves.
 *
 * @example
 * const cache = new ModelCache(new IndexedDBStore());
 * const m = await cache.load('/models/mnist/manifest.json', { onProgress: (p) => bar(p.loaded / p.total) });
 */
export class ModelCache {
  private readonly fetchImpl: typeof fetch;
  private readonly versions: VersionStore;
  private readonly coordinator: Coordinator;
  private readonly limits: ModelLimits;
  private readonly background = new Map<string, Promise<void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly adapter: StoreAdapter,
    private readonly options: ModelCacheOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    const chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
    if (!Number.isInteger(chunkSize) || chunkSize < 1024) throw new RangeError(`ModelCache: chunkSize must be an integer ≥ 1024; received ${chunkSize}.`);
    const retries = options.retries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`ModelCache: retries must be an integer ≥ 0; received ${retries}.`);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.coordinator = options.coordinator ?? defaultCoordinator(adapter.scope ?? adapter.kind);
    const space = new SpaceManager(adapter, (victim) => this.locked(() => this.deleteIfSame(victim, { type: 'evicted', id: victim.id, bytes: victim.bytes })), options.estimate);
    this.versions = new VersionStore(adapter, space, { chunkSize, fetch: this.fetchImpl, retries });
  }

  async load(url: string, options: LoadFromManifestOptions = {}): Promise<CachedModel> {
    const manifestUrl = absoluteUrl(url);
    const requested = options.version ?? 'latest';
    this.unsubscribe ??= this.coordinator.subscribe((m) => this.emit({ type: 'activated-elsewhere', model: m.model, version: m.version }));
    const cachedFirst = (options.revalidate ?? this.options.revalidate ?? 'background') === 'background';
    // A rollback may land between choosing a version and activating it; then choose again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const cached = cachedFirst ? await this.loadCached(manifestUrl, requested) : undefined;
      // false (the cached version lost a race) skips the manifest and loops, as undefined from it does.
      const loaded = cached ?? (await this.loadFromManifest(manifestUrl, requested, options));
      if (loaded) return loaded;
    }
    throw new StoreError('E_VERSION', `${manifestUrl}: the active version kept changing under this load (concurrent rollbacks); try again.`);
  }

  /** Resolves once background manifest checks (and the updates they install) have finished. */
  async settled(): Promise<void> {
    while (this.background.size) await Promise.all(this.background.values());
  }

  /** Installed versions, newest use first. */
  async list(): Promise<InstalledVersion[]> {
    return (await this.adapter.listRecords()).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  /** Pinned versions are never evicted for space. */
  async pin(url: string, version: string, pinned = true): Promise<void> {
    await this.locked(async () => this.adapter.putRecord({ ...(await this.requireRecord(absoluteUrl(url), version)), pinned }));
  }

  async remove(url: string, version: string): Promise<void> {
    await this.locked(async () => this.versions.delete(await this.requireRecord(absoluteUrl(url), version)));
  }

  async clear(): Promise<void> {
    await this.locked(() => this.adapter.clear());
  }

  /**
   * Switches the model back to the previously active cached version, at once and offline. 'latest'
   * then avoids the version rolled back from until the manifest names a different latest. With
   * `from`, only when that version is still the active one (else nothing changes); returns the
   * version active afterwards.
   */
  async rollback(url: string, options: { from?: string } = {}): Promise<string> {
    const manifestUrl = absoluteUrl(url);
    const version = await this.locked(async () => {
      const state = await this.adapter.getState(manifestUrl);
      // Compare-and-swap: two guards (two tabs, two loads) rolling back the same canary must not
      // swap twice, which would make the canary active again. Only roll back what is still active.
      if (options.from !== undefined && state?.active !== options.from) return undefined;
      if (!state?.previous || !state.active) throw new StoreError('E_NOT_CACHED', `${manifestUrl} has no previous cached version to roll back to.`);
      await this.requireRecord(manifestUrl, state.previous);
      await this.adapter.putState(policy.rolledBack({ ...state, active: state.active, previous: state.previous }));
      return state.previous;
    });
    if (version === undefined) return (await this.adapter.getState(manifestUrl))?.active ?? '';
    this.coordinator.publish({ type: 'activated', model: manifestUrl, version });
    return version;
  }

  /**
   * Records that the canary `version` passed its guard on this device: later 'latest' loads of it
   * (online or from the cache) are not guarded again while the rollout lasts. Nothing changes when
   * it is no longer this model's canary (a rollback or another manifest came in between).
   */
  async passed(url: string, version: string): Promise<void> {
    const manifestUrl = absoluteUrl(url);
    await this.locked(async () => {
      const state = await this.adapter.getState(manifestUrl);
      if (state) await this.adapter.putState(policy.canaryPassed(state, version));
    });
  }

  /**
   * The files of a cached version, verified as a load verifies them, without making it active or
   * touching the manifest: what the canary guard runs beside a canary as its reference.
   */
  async read(url: string, version: string): Promise<CachedModel> {
    const record = await this.requireRecord(absoluteUrl(url), version);
    const files = await this.readChecked(record, this.options.verify !== 'install');
    if (!files) throw new StoreError('E_INTEGRITY', `${record.id} is damaged and was deleted.`);
    return toCachedModel(record, files, true);
  }

  /**
   * Fully re-checks SHA-256 of every installed version of `url` (all models when absent); a damaged
   * one is deleted and reported. With `verify: 'install'`, run it on a schedule.
   */
  async verify(url?: string): Promise<{ checked: number; deleted: string[] }> {
    const records = (await this.adapter.listRecords()).filter((r) => url === undefined || r.model === absoluteUrl(url));
    const deleted: string[] = [];
    for (const record of records) if (!(await this.readChecked(record, true))) deleted.push(record.id);
    return { checked: records.length, deleted };
  }

  /** Asks the browser to keep this origin's storage under pressure (navigator.storage.persist). */
  async persist(): Promise<boolean> {
    return (await globalThis.navigator?.storage?.persist?.()) ?? false;
  }

  /** Deletes chunks that neither an installed version nor a resumable download points at. */
  async collectGarbage(): Promise<number> {
    return this.locked(async () => {
      const live = new Set((await this.adapter.listRecords()).flatMap((r) => r.files.map((f) => f.chunkKey)));
      let removed = 0;
      for (const key of await this.adapter.listChunkKeys()) {
        if (live.has(key) || (await this.versions.inProgress(key))) continue;
        await this.adapter.deleteChunks(key);
        removed++;
      }
      return removed;
    });
  }

  /** Stops listening to other tabs and workers. */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Stale-while-revalidate: the cached version, at once; undefined when there is none (or it is damaged). */
  private async loadCached(manifestUrl: string, requested: string): Promise<CachedModel | undefined | false> {
    const version = policy.cachedVersion(requested, await this.adapter.getState(manifestUrl));
    const record = version && (await this.adapter.getRecord(`${manifestUrl}@${version}`));
    const files = record && (await this.readChecked(record, this.options.verify !== 'install'));
    if (!record || !files) return undefined;
    if (!(await this.activate(record, requested))) return false;
    this.emit({ type: 'served-from-cache', id: record.id });
    // Read before the background check starts, so the check's events come after this load returns.
    const model = await this.withCanary(toCachedModel(record, files, true), manifestUrl, requested);
    this.inBackground(`${manifestUrl} ${requested}`, () => this.revalidate(manifestUrl, requested, record.version));
    return model;
  }

  /** Network first: the manifest decides; install when needed. Undefined = lost a race with a rollback. */
  private async loadFromManifest(manifestUrl: string, requested: string, options: LoadFromManifestOptions): Promise<CachedModel | undefined> {
    const got = await fetchManifest(manifestUrl, this.fetchImpl, options.signal);
    if ('unavailable' in got) return this.loadOffline(manifestUrl, requested, got.unavailable, got.detail);
    const version = await this.applyManifest(manifestUrl, got.manifest, requested);
    const id = `${manifestUrl}@${version}`;
    checkLimits(id, got.manifest.versions[version]!, this.limits);
    let record = await this.adapter.getRecord(id);
    let files = record && (await this.readChecked(record, this.options.verify !== 'install'));
    let fromCache = true;
    if (!record || !files) {
      const installed = await this.install(manifestUrl, got.manifest, version, { onProgress: options.onProgress, signal: options.signal, keepBytes: true });
      record = installed.record;
      fromCache = !installed.files;
      files = installed.files ?? (await this.readChecked(record, this.options.verify !== 'install'));
      if (!files) throw new StoreError('E_INTEGRITY', `${id} failed verification right after install: the store is not keeping what it is given.`);
    } else this.emit({ type: 'served-from-cache', id });
    if (!(await this.activate(record, requested))) return undefined;
    return this.withCanary(toCachedModel(record, files, fromCache), manifestUrl, requested);
  }

  private async loadOffline(manifestUrl: string, requested: string, reason: UnavailableReason, detail: string): Promise<CachedModel> {
    const candidates = policy.offlineCandidates(await this.adapter.listRecords(), await this.adapter.getState(manifestUrl), manifestUrl, requested);
    for (const record of candidates) {
      const files = await this.readChecked(record, this.options.verify !== 'install');
      if (!files) continue;
      this.emit({ type: 'offline', id: record.id, reason, detail });
      // Offline or not, a rollout version is still a canary: guarded like one.
      return this.withCanary(toCachedModel(record, files, true), manifestUrl, requested);
    }
    throw new StoreError('E_NOT_CACHED', `${detail}, and no valid${requested === 'latest' ? '' : ` ${requested}`} version is cached.`);
  }

  /** After serving from the cache: check the manifest, apply revocations, install and activate an update. */
  private async revalidate(manifestUrl: string, requested: string, served: string): Promise<void> {
    try {
      const got = await fetchManifest(manifestUrl, this.fetchImpl);
      if ('unavailable' in got) return this.emit({ type: 'revalidation-failed', url: manifestUrl, reason: got.unavailable, detail: got.detail });
      const version = await this.applyManifest(manifestUrl, got.manifest, requested);
      if (version === served) return;
      const id = `${manifestUrl}@${version}`;
      checkLimits(id, got.manifest.versions[version]!, this.limits);
      const { record } = await this.install(manifestUrl, got.manifest, version, { keepBytes: false });
      if (await this.activate(record, requested)) this.emit({ type: 'update-ready', id, version, previous: served });
    } catch (error) {
      this.emit({ type: 'revalidation-failed', url: manifestUrl, reason: 'error', detail: (error as Error).message });
    }
  }

  /** Under the lock, on fresh state: record revocations, delete revoked versions, choose the version. */
  private async applyManifest(manifestUrl: string, manifest: Manifest, requested: string): Promise<string> {
    const bucket = await this.bucket();
    return this.locked(async () => {
      const state: ModelState = (await this.adapter.getState(manifestUrl)) ?? { model: manifestUrl, revoked: [] };
      for (const version of manifest.revoked) {
        const record = await this.adapter.getRecord(`${manifestUrl}@${version}`);
        if (record) await this.deleteIfSame(record, { type: 'revoked-removed', id: record.id });
      }
      const chosen = policy.chooseVersion(manifest, requested, state, bucket);
      await this.adapter.putState(chosen.state);
      return chosen.version;
    });
  }

  /** One download per version across every tab and worker: whoever gets the lock second finds it installed. */
  private install(manifestUrl: string, manifest: Manifest, version: string, options: Pick<LoadFromManifestOptions, 'onProgress' | 'signal'> & { keepBytes: boolean }) {
    const id = `${manifestUrl}@${version}`;
    return this.coordinator.withLock(installLock(id), async () => {
      const existing = await this.adapter.getRecord(id);
      if (existing) return { record: existing };
      const installed = await this.versions.install({ ...options, id, manifestUrl, version, spec: manifest.versions[version]! });
      this.emit({ type: 'installed', id, bytes: installed.record.bytes });
      return installed;
    });
  }

  /** Marks the version used and active, on state read inside the lock; false if a rollback forbids it now. */
  private async activate(record: InstalledVersion, requested: string): Promise<boolean> {
    const changed = await this.locked(async () => {
      const current = await this.adapter.getRecord(record.id);
      const state = (await this.adapter.getState(record.model)) ?? { model: record.model, revoked: [] };
      const next = current && !state.revoked.includes(record.version) ? policy.activate(state, record.version, requested) : undefined;
      if (!next) return undefined;
      await this.adapter.putRecord({ ...current!, lastUsedAt: Date.now() });
      if (next !== state) await this.adapter.putState(next);
      return next !== state;
    });
    if (changed) this.coordinator.publish({ type: 'activated', model: record.model, version: record.version });
    return changed !== undefined;
  }

  /** Marks a load as a canary when the state says so and the previous version is still installed. */
  private async withCanary(model: CachedModel, manifestUrl: string, requested: string): Promise<CachedModel> {
    const previous = policy.canaryPrevious(requested, model.version, await this.adapter.getState(manifestUrl));
    if (previous !== undefined && (await this.adapter.getRecord(`${manifestUrl}@${previous}`))) model.canary = { previous };
    return model;
  }

  /** Reads a version; a damaged one is reported and deleted, and undefined returned. */
  private async readChecked(record: InstalledVersion, verify: boolean): Promise<Record<string, Uint8Array> | undefined> {
    const result = await this.versions.read(record, verify);
    if ('files' in result) return result.files;
    this.emit({ type: 'corrupted', id: record.id, ...result.corrupt });
    await this.locked(() => this.deleteIfSame(record));
    return undefined;
  }

  /** Deletes a version unless another context replaced it meanwhile (a fresh install has new chunk keys). */
  private async deleteIfSame(record: InstalledVersion, event?: CacheEvent): Promise<void> {
    const current = await this.adapter.getRecord(record.id);
    if (!current || current.files[0]?.chunkKey !== record.files[0]?.chunkKey) return;
    await this.versions.delete(current);
    if (event) this.emit(event);
  }

  private async bucket(): Promise<number> {
    if (this.options.bucket !== undefined) return this.options.bucket;
    return this.locked(async () => {
      const state = await this.adapter.getState('device');
      if (state?.bucket !== undefined) return state.bucket;
      const bucket = Math.floor(Math.random() * 100);
      await this.adapter.putState({ model: 'device', revoked: [], bucket });
      return bucket;
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.coordinator.withLock(META, fn);
  }

  private inBackground(key: string, task: () => Promise<void>) {
    if (this.background.has(key)) return;
    const done = task().finally(() => this.background.delete(key));
    this.background.set(key, done);
  }

  private emit(event: CacheEvent) {
    this.options.onEvent?.(event);
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
  if (typeof record.baseline === 'string') {
    model.baselineUrl = record.baseline;
    const path = Object.keys(files).find((p) => new URL(p, record.model).href === record.baseline);
    if (path !== undefined) model.baseline = files[path];
  }
  return model;
}
