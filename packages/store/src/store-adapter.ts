/** One installed file: its chunks live under `chunkKey` in the adapter. */
export interface StoredFile {
  path: string;
  size: number;
  sha256: string;
  chunkKey: string;
  chunks: number;
  /** Bytes per chunk (all but the last); lets a store read each chunk straight into place. */
  chunkSize?: number;
}

/** An installed, verified model version. It exists exactly when its record does. */
export interface InstalledVersion {
  id: string; // `${model}@${version}`
  model: string;
  version: string;
  engine: string;
  entry: string;
  files: StoredFile[];
  bytes: number;
  installedAt: number;
  lastUsedAt: number;
  pinned: boolean;
  baseline?: unknown;
}

/** Per-model state: the version in use, the one before it (for rollback), and the last manifest's revocations. */
export interface ModelState {
  model: string;
  active?: string;
  previous?: string;
  revoked: string[];
  /** Set by rollback(): 'latest' avoids this version until the manifest's latest changes. */
  rolledBackFrom?: string;
  /**
   * The manifest's rollout version when 'latest' chose it for this device (its bucket is inside the
   * rollout): loads of it are canaries, guarded against `previous` (see core's canary guard).
   */
  rollout?: string;
  /**
   * A rollout version whose canary guard passed on this device: later 'latest' loads of it are no
   * canaries (not guarded again while the rollout lasts). Set by ModelCache.passed().
   */
  canaryPassed?: string;
  /** Only on the 'device' state: this install's rollout bucket. */
  bucket?: number;
  /** Only on a `download:<id>` state: an install in progress, so an interrupted download resumes. */
  download?: PartialDownload;
}

/** How far an interrupted install got: whole chunks stored per file, and the server's ETag for them. */
export interface PartialDownload {
  id: string;
  chunkSize: number;
  files: Array<{ path: string; size: number; sha256: string; chunkKey: string; chunks: number; bytes: number; etag?: string; done: boolean }>;
}

/**
 * Where model bytes live. Three small groups of methods: chunks (bytes), records (installed
 * versions) and model states. Browsers use IndexedDB, Node/Electron the filesystem, tests memory.
 * Writing a record is the atomic switch of an install: chunks are written first under a fresh key, and
 * chunks no record (nor download in progress) points at are garbage, removed by `ModelCache.collectGarbage()`.
 * A chunk must be stored as exactly the bytes of the view given (not the view's whole buffer), and
 * `getChunk` must return a view of exactly those bytes. The caller may reuse the bytes it passed to
 * `putChunk` once that resolves.
 */
export interface StoreAdapter {
  readonly kind: string;
  /**
   * Names the storage itself (database or directory), so caches in other tabs and workers over the
   * same storage share locks and announcements; caches over different storages do not.
   */
  readonly scope?: string;
  putChunk(key: string, index: number, data: Uint8Array): Promise<void>;
  getChunk(key: string, index: number): Promise<Uint8Array | undefined>;
  /**
   * Optional: reads a chunk straight into `target` (up to its length), with no buffer of its own;
   * resolves with the chunk's full size (so a caller sees a size mismatch), or undefined when missing.
   */
  readChunkInto?(key: string, index: number, target: Uint8Array): Promise<number | undefined>;
  deleteChunks(key: string): Promise<void>;
  listChunkKeys(): Promise<string[]>;
  getRecord(id: string): Promise<InstalledVersion | undefined>;
  putRecord(record: InstalledVersion): Promise<void>;
  deleteRecord(id: string): Promise<void>;
  listRecords(): Promise<InstalledVersion[]>;
  getState(model: string): Promise<ModelState | undefined>;
  putState(state: ModelState): Promise<void>;
  deleteState(model: string): Promise<void>;
  clear(): Promise<void>;
}
