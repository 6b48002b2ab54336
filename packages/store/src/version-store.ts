import { downloadFile, type DownloadProgress } from './download.js';
import { StoreError } from './errors.js';
import type { ManifestVersion } from './manifest.js';
import { createSha256, type Sha256 } from './sha256.js';
import type { SpaceManager } from './space-manager.js';
import type { InstalledVersion, PartialDownload, StoreAdapter, StoredFile } from './store-adapter.js';

export type ReadResult = { files: Record<string, Uint8Array> } | { corrupt: { file: string; reason: string } };

export interface InstallJob {
  id: string;
  manifestUrl: string;
  version: string;
  spec: ManifestVersion;
  /** Assemble the files in memory as they stream (a load that hands them to an engine next); background installs do not. */
  keepBytes: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

const downloadKey = (id: string) => `download:${id}`;
const freshKey = (id: string, path: string) => `${id}#${path}#${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * Model versions as chunks in a StoreAdapter: reads a version into one buffer per file (checking it
 * as the chunks arrive), and installs one by streaming each file from the network into chunks,
 * resumable from the last stored chunk. The record is written last: it is the install's atomic switch.
 */
export class VersionStore {
  constructor(
    readonly adapter: StoreAdapter,
    private readonly space: SpaceManager,
    private readonly options: { chunkSize: number; fetch: typeof fetch; retries: number },
  ) {}

  /**
   * Reads every file of a version straight into one buffer each (the only copy: storage → the
   * buffer the engine gets). With `verify`, SHA-256 runs over each chunk while the next is read.
   */
  async read(record: InstalledVersion, verify: boolean): Promise<ReadResult> {
    const files: Record<string, Uint8Array> = {};
    for (const file of record.files) {
      const out = new Uint8Array(file.size);
      const hasher = verify ? await createSha256() : undefined;
      if (this.adapter.readChunkInto && file.chunkSize) {
        const problem = await this.readInPlace(file, out, hasher);
        if (problem) return { corrupt: { file: file.path, reason: problem } };
        const actual = hasher?.hex();
        if (actual !== undefined && actual !== file.sha256) return { corrupt: { file: file.path, reason: `SHA-256 ${actual} ≠ ${file.sha256}` } };
        files[file.path] = out;
        continue;
      }
      let offset = 0;
      let next = this.adapter.getChunk(file.chunkKey, 0);
      for (let i = 0; i < file.chunks; i++) {
        const chunk = await next;
        if (i + 1 < file.chunks) next = this.adapter.getChunk(file.chunkKey, i + 1);
        if (!chunk) return { corrupt: { file: file.path, reason: `chunk ${i} of ${file.chunks} is missing` } };
        if (offset + chunk.byteLength > file.size) return { corrupt: { file: file.path, reason: `more than the recorded ${file.size} bytes` } };
        out.set(chunk, offset);
        hasher?.update(chunk);
        offset += chunk.byteLength;
      }
      if (offset !== file.size) return { corrupt: { file: file.path, reason: `${offset} of ${file.size} bytes` } };
      const actual = hasher?.hex();
      if (actual !== undefined && actual !== file.sha256) return { corrupt: { file: file.path, reason: `SHA-256 ${actual} ≠ ${file.sha256}` } };
      files[file.path] = out;
    }
    return { files };
  }

  /** Each chunk read straight into its place in `out`, the next read issued before this one is hashed. */
  private async readInPlace(file: StoredFile, out: Uint8Array, hasher: Sha256 | undefined): Promise<string | undefined> {
    const size = file.chunkSize!;
    const expected = (i: number) => Math.min(size, file.size - i * size);
    const read = (i: number) => this.adapter.readChunkInto!(file.chunkKey, i, out.subarray(i * size, i * size + expected(i)));
    if (Math.max(1, Math.ceil(file.size / size)) !== file.chunks) return `${file.chunks} chunks recorded for ${file.size} bytes`;
    let next = read(0);
    for (let i = 0; i < file.chunks; i++) {
      const got = await next;
      if (i + 1 < file.chunks) next = read(i + 1);
      if (got === undefined) return `chunk ${i} of ${file.chunks} is missing`;
      if (got !== expected(i)) return `chunk ${i} holds ${got} bytes, not ${expected(i)}`;
      hasher?.update(out.subarray(i * size, i * size + got));
    }
    return undefined;
  }

  /**
   * Downloads, verifies and installs one version (the caller holds this version's install lock).
   * An interrupted or aborted download keeps its chunks and resumes on the next install; wrong
   * bytes discard them.
   */
  async install(job: InstallJob): Promise<{ record: InstalledVersion; files?: Record<string, Uint8Array> }> {
    const { id, spec } = job;
    const total = spec.files.reduce((s, f) => s + f.size, 0);
    await this.space.ensure(total, job.manifestUrl);
    const partial = await this.resumable(id, spec);
    const kept: Record<string, Uint8Array> = {};
    let loaded = partial.files.reduce((s, f) => s + f.bytes, 0);
    const report = (file: string) => job.onProgress?.({ loaded, total, file });
    if (loaded > 0) report(partial.files.find((f) => !f.done)?.path ?? spec.files[0]!.path);
    const save = () => this.adapter.putState({ model: downloadKey(id), revoked: [], download: partial });
    // Where the download stands is saved about once a second (each save is a store write), and
    // always when it stops: a reload loses at most a second of progress.
    let savedAt = 0;
    const saveSometimes = async () => {
      if (Date.now() - savedAt < 1000) return;
      savedAt = Date.now();
      await save();
    };
    try {
      for (const entry of partial.files) {
        const into = job.keepBytes ? (kept[entry.path] = new Uint8Array(entry.size)) : undefined;
        const hasher = await createSha256();
        if (!(await this.replay(entry, hasher, into, entry.done))) {
          loaded -= entry.bytes;
          Object.assign(entry, { chunks: 0, bytes: 0, done: false, etag: undefined });
          hasher.reset();
        }
        if (entry.done) continue;
        const url = new URL(entry.path, job.manifestUrl).href;
        const end = await downloadFile({
          url,
          size: entry.size,
          chunkSize: this.options.chunkSize,
          fetch: this.options.fetch,
          signal: job.signal,
          hasher,
          retries: this.options.retries,
          from: { chunks: entry.chunks, bytes: entry.bytes, ...(entry.etag ? { etag: entry.etag } : {}) },
          putChunk: async (index, chunk, offset) => {
            await this.space.putChunk(entry.chunkKey, index, chunk, job.manifestUrl);
            into?.set(chunk, offset);
          },
          onStored: async (position) => {
            Object.assign(entry, position);
            await saveSometimes();
          },
          onBytes: (n) => {
            loaded += n;
            report(entry.path);
          },
        });
        const actual = hasher.hex();
        if (actual !== entry.sha256) throw new StoreError('E_INTEGRITY', `${url}: SHA-256 ${actual} does not match the manifest's ${entry.sha256}; nothing was installed.`);
        Object.assign(entry, end, { done: true });
        await save();
      }
    } catch (error) {
      const resumable = error instanceof StoreError && (error.code === 'E_ABORTED' || error.code === 'E_DOWNLOAD');
      if (!resumable) await this.discard(partial);
      else await save().catch(() => undefined);
      throw error;
    }
    const files: StoredFile[] = partial.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, chunkKey: f.chunkKey, chunks: f.chunks, chunkSize: partial.chunkSize }));
    const now = Date.now();
    const record: InstalledVersion = { id, model: job.manifestUrl, version: job.version, engine: spec.engine, entry: spec.entry, files, bytes: total, installedAt: now, lastUsedAt: now, pinned: false };
    if (spec.baseline) record.baseline = new URL(spec.baseline, job.manifestUrl).href;
    // The switch: until this record exists, the version is not installed.
    await this.adapter.putRecord(record);
    await this.adapter.deleteState(downloadKey(id));
    return job.keepBytes ? { record, files: kept } : { record };
  }

  /** Record first: once it is gone the version is not installed, whatever happens to its chunks. */
  async delete(record: InstalledVersion): Promise<void> {
    await this.adapter.deleteRecord(record.id);
    await Promise.all(record.files.map((f) => this.adapter.deleteChunks(f.chunkKey)));
  }

  /** Chunk keys that a download in progress still needs (so garbage collection keeps them). */
  async inProgress(chunkKey: string): Promise<boolean> {
    const id = chunkKey.slice(0, chunkKey.indexOf('#'));
    const partial = (await this.adapter.getState(downloadKey(id)))?.download;
    return partial?.files.some((f) => f.chunkKey === chunkKey) ?? false;
  }

  /** The stored download of this version if it matches the manifest's files and chunk size; else a fresh one. */
  private async resumable(id: string, spec: ManifestVersion): Promise<PartialDownload> {
    const stored = (await this.adapter.getState(downloadKey(id)))?.download;
    const matches =
      stored?.chunkSize === this.options.chunkSize &&
      stored.files.length === spec.files.length &&
      stored.files.every((f, i) => f.path === spec.files[i]!.path && f.size === spec.files[i]!.size && f.sha256 === spec.files[i]!.sha256);
    if (matches) return stored;
    if (stored) await this.discard(stored);
    return { id, chunkSize: this.options.chunkSize, files: spec.files.map((f) => ({ ...f, chunkKey: freshKey(id, f.path), chunks: 0, bytes: 0, done: false })) };
  }

  /** Feeds the already stored chunks of a resumed file to its hasher (and buffer); false if any is gone. */
  private async replay(entry: PartialDownload['files'][number], hasher: Sha256, into: Uint8Array | undefined, done: boolean): Promise<boolean> {
    let offset = 0;
    for (let i = 0; i < entry.chunks; i++) {
      if (done && !into) return true;
      const chunk = await this.adapter.getChunk(entry.chunkKey, i);
      if (!chunk || offset + chunk.byteLength > entry.size) return false;
      if (!done) hasher.update(chunk);
      into?.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return offset === entry.bytes;
  }

  private async discard(partial: PartialDownload): Promise<void> {
    await this.adapter.deleteState(downloadKey(partial.id)).catch(() => undefined);
    await Promise.all(partial.files.map((f) => this.adapter.deleteChunks(f.chunkKey).catch(() => undefined)));
  }
}
