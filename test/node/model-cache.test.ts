import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsStore } from '@edgewise/node';
import { MemoryStore, ModelCache, StoreError, type CacheEvent, type ModelCacheOptions, type StoreAdapter } from '@edgewise/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAdapterContract } from '../contract/store-adapter-contract.js';
import { startFaultServer } from '../fault-server.js';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));

storeAdapterContract('memory', async () => new MemoryStore());
storeAdapterContract('fs', async () => new FsStore(await mkdtemp(join(tmpdir(), 'edgewise-store-'))));

let server: Awaited<ReturnType<typeof startFaultServer>>;
beforeAll(async () => (server = await startFaultServer(generated)));
afterAll(() => server.close());

const adapters: Array<[string, () => Promise<StoreAdapter>]> = [
  ['memory', async () => new MemoryStore()],
  ['fs', async () => new FsStore(await mkdtemp(join(tmpdir(), 'edgewise-store-')))],
];

for (const [kind, make] of adapters) {
  describe(`ModelCache over ${kind}, against a real HTTP server`, () => {
    const manifest = () => `${server.url}/mnist/manifest.json`;
    const cacheWith = async (events: CacheEvent[] = [], options: ModelCacheOptions = {}) => new ModelCache(await make(), { chunkSize: 256 * 1024, onEvent: (e) => events.push(e), ...options });

    it('downloads with aggregate progress, verifies, installs, then serves from the store', async () => {
      server.setFault({ mode: 'ok' });
      const events: CacheEvent[] = [];
      const cache = await cacheWith(events);
      const progress: Array<{ loaded: number; total: number }> = [];
      const first = await cache.load(manifest(), { onProgress: (p) => progress.push(p) });
      expect(first).toMatchObject({ version: '1.1.0', engine: 'onnx', entry: 'model-int8.onnx', fromCache: false });
      const onDisk = await readFile(join(generated, 'mnist/model-int8.onnx'));
      expect(Buffer.from(first.files['model-int8.onnx']!).equals(onDisk)).toBe(true);
      expect(progress.at(-1)).toMatchObject({ loaded: onDisk.byteLength, total: onDisk.byteLength, file: 'model-int8.onnx' });
      expect(progress.every((p, i) => i === 0 || p.loaded >= progress[i - 1]!.loaded)).toBe(true);
      const before = server.requests.get('/mnist/model-int8.onnx') ?? 0;
      const second = await cache.load(manifest());
      expect(second.fromCache).toBe(true);
      expect(server.requests.get('/mnist/model-int8.onnx')).toBe(before);
      expect(events.map((e) => e.type)).toEqual(['installed', 'served-from-cache']);
      expect(first.baselineUrl).toBe(`${server.url}/mnist/baseline.json`);
    });

    it('rejects wrong or truncated bytes and installs nothing', async () => {
      const cache = await cacheWith();
      server.setFault({ mode: 'corrupt', match: /\.onnx$/ });
      await expect(cache.load(manifest(), { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_INTEGRITY' });
      server.setFault({ mode: 'truncate', match: /\.onnx$/ });
      await expect(cache.load(manifest(), { version: '1.0.0' })).rejects.toThrow(/truncated/);
      expect(await cache.list()).toEqual([]);
      expect(await cache.adapter.listChunkKeys()).toEqual([]);
      server.setFault({ mode: 'ok' });
    });

    it('offline with two valid cached versions loads the newest, and says why; a damaged one falls to the next', async () => {
      server.setFault({ mode: 'ok' });
      const events: CacheEvent[] = [];
      const cache = await cacheWith(events, { revalidate: 'before-load' });
      await cache.load(manifest(), { version: '1.0.0' });
      await cache.load(manifest());
      expect((await cache.list()).map((r) => r.version).sort()).toEqual(['1.0.0', '1.1.0']);
      server.setFault({ mode: 'offline' });
      const offline = await cache.load(manifest());
      expect(offline).toMatchObject({ version: '1.1.0', fromCache: true });
      expect(events.at(-1)).toMatchObject({ type: 'offline', id: `${manifest()}@1.1.0`, reason: 'unreachable', detail: expect.stringContaining(manifest()) });
      // The active one is damaged: it is deleted and the newest remaining valid one serves.
      server.setFault({ mode: 'ok' });
      await cache.load(manifest(), { version: '1.0.0-tfjs' });
      await cache.load(manifest(), { version: '1.1.0' });
      server.setFault({ mode: 'offline' });
      const active = (await cache.list()).find((r) => r.version === '1.1.0')!;
      await cache.adapter.putChunk(active.files[0]!.chunkKey, 0, Uint8Array.from([1, 2, 3]));
      expect((await cache.load(manifest())).version).toBe('1.0.0-tfjs');
      expect(events.slice(-2).map((e) => e.type)).toEqual(['corrupted', 'offline']);
      await expect((await cacheWith()).load(manifest())).rejects.toMatchObject({ code: 'E_NOT_CACHED', message: expect.stringContaining(manifest()) });
      server.setFault({ mode: 'ok' });
    });

    it('stale-while-revalidate: a cached version loads without waiting for the manifest; the check runs after', async () => {
      server.setFault({ mode: 'ok' });
      const events: CacheEvent[] = [];
      const cache = await cacheWith(events);
      await cache.load(manifest());
      const manifestRequests = server.requests.get('/mnist/manifest.json') ?? 0;
      server.setFault({ mode: 'offline' });
      const warm = await cache.load(manifest());
      expect(warm).toMatchObject({ version: '1.1.0', fromCache: true });
      expect(events.at(-1)).toMatchObject({ type: 'served-from-cache' });
      await cache.settled();
      expect(events.at(-1)).toMatchObject({ type: 'revalidation-failed', reason: 'unreachable' });
      expect(server.requests.get('/mnist/manifest.json')).toBe(manifestRequests + 1);
      server.setFault({ mode: 'ok' });
    });

    it('detects a tampered stored chunk, deletes that version, says so, and refetches', async () => {
      server.setFault({ mode: 'ok' });
      const events: CacheEvent[] = [];
      const cache = await cacheWith(events);
      await cache.load(manifest());
      const [record] = await cache.list();
      const key = record!.files[0]!.chunkKey;
      const chunk = (await cache.adapter.getChunk(key, 1))!;
      chunk[10] = chunk[10]! ^ 0xff;
      await cache.adapter.putChunk(key, 1, chunk);
      const downloads = server.requests.get('/mnist/model-int8.onnx') ?? 0;
      const again = await cache.load(manifest());
      expect(again.fromCache).toBe(false);
      expect(server.requests.get('/mnist/model-int8.onnx')).toBe(downloads + 1);
      expect(events.map((e) => e.type)).toEqual(['installed', 'corrupted', 'installed']);
      expect(events[1]).toMatchObject({ id: record!.id, file: 'model-int8.onnx', reason: expect.stringMatching(/SHA-256/) });
      // The damaged copy is gone (not merely shadowed): its chunks are deleted, the new install has its own.
      expect(await cache.adapter.getChunk(key, 0)).toBeUndefined();
      expect(await cache.adapter.listChunkKeys()).not.toContain(key);
      const [fresh] = await cache.list();
      expect(fresh!.files[0]!.chunkKey).not.toBe(key);
    });

    it('rolls back to the previous cached version at once, offline', async () => {
      server.setFault({ mode: 'ok' });
      const cache = await cacheWith();
      await cache.load(manifest(), { version: '1.0.0' });
      await cache.load(manifest(), { revalidate: 'before-load' });
      expect(await cache.rollback(manifest())).toBe('1.0.0');
      server.setFault({ mode: 'offline' });
      expect((await cache.load(manifest())).version).toBe('1.0.0');
      server.setFault({ mode: 'ok' });
      // Online, 'latest' stays rolled back while the manifest's latest is the version rolled back from.
      expect((await cache.load(manifest(), { revalidate: 'before-load' })).version).toBe('1.0.0');
      expect((await cache.load(manifest())).version).toBe('1.0.0');
      await cache.settled();
      expect((await cache.load(manifest())).version).toBe('1.0.0');
    });

    it('rolls back a version once when two guards both ask to roll back from it (compare-and-swap)', async () => {
      server.setFault({ mode: 'ok' });
      const cache = await cacheWith();
      await cache.load(manifest(), { version: '1.0.0' });
      const canary = await cache.load(manifest(), { revalidate: 'before-load' });
      expect(canary.version).not.toBe('1.0.0');
      const [a, b] = await Promise.all([cache.rollback(manifest(), { from: canary.version }), cache.rollback(manifest(), { from: canary.version })]);
      expect([a, b]).toEqual(['1.0.0', '1.0.0']);
      // Still rolled back: the second request did not swap back to the canary.
      server.setFault({ mode: 'offline' });
      expect((await cache.load(manifest())).version).toBe('1.0.0');
      server.setFault({ mode: 'ok' });
      expect((await cache.load(manifest(), { revalidate: 'before-load' })).version).toBe('1.0.0');
    });

    it('evicts least-recently-used unpinned versions when space runs out, then fails clearly', async () => {
      server.setFault({ mode: 'ok' });
      const quota = 3_500_000; // fits fp32 (2.68 MB) + int8 (0.68 MB), not a third version
      const events: CacheEvent[] = [];
      // The estimate reads what is really stored, as navigator.storage.estimate() would.
      const adapter = await make();
      const usage = async () => (await adapter.listRecords()).reduce((s, r) => s + r.bytes, 0);
      const cache = new ModelCache(adapter, { chunkSize: 256 * 1024, onEvent: (e) => events.push(e), estimate: async () => ({ usage: await usage(), quota }) });
      await cache.load(manifest(), { version: '1.0.0' });
      await cache.load(manifest(), { version: '1.1.0' });
      await cache.load(manifest(), { version: '1.0.0-tfjs' });
      expect(events.filter((e) => e.type === 'evicted').map((e) => (e as { id: string }).id)).toEqual([`${manifest()}@1.0.0`]);
      await cache.pin(manifest(), '1.1.0');
      await expect(cache.load(manifest(), { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_QUOTA', message: expect.stringMatching(/no unpinned/) });
    });

    it('refuses revoked and unknown versions with a clear error', async () => {
      const cache = await cacheWith();
      await expect(cache.load(manifest(), { version: '9.9.9' })).rejects.toThrow(/has no version "9.9.9"; available: 1.0.0, 1.1.0, 1.0.0-tfjs/);
      await expect(cache.load(`${server.url}/mnist/baseline.json`)).rejects.toMatchObject({ code: 'E_MANIFEST' });
      await expect(cache.load(`${server.url}/missing/manifest.json`)).rejects.toBeInstanceOf(StoreError);
    });
  });
}

describe('loadModel({ manifest }) in Node with the fs cache', () => {
  it('downloads, runs, then loads offline from disk; checks the engine against the manifest', async () => {
    const { createNodeRuntime } = await import('@edgewise/node');
    const { tensor } = await import('@edgewise/core');
    const cacheDir = await mkdtemp(join(tmpdir(), 'edgewise-cache-'));
    server.setFault({ mode: 'ok' });
    const progress: number[] = [];
    const model = await createNodeRuntime({ cacheDir }).loadModel({ manifest: `${server.url}/mnist/manifest.json`, onProgress: (p) => progress.push(p.loaded) });
    expect(progress.length).toBeGreaterThan(0);
    const out = await model.run({ input: tensor('float32', new Float32Array(784), [1, 784]) });
    expect(out.probabilities!.dims).toEqual([1, 10]);
    server.setFault({ mode: 'offline' });
    // A new runtime over the same directory: as after an app restart without network.
    const again = await createNodeRuntime({ cacheDir }).loadModel({ manifest: `${server.url}/mnist/manifest.json` });
    expect((await again.run({ input: tensor('float32', new Float32Array(784), [1, 784]) })).probabilities!.data).toEqual(out.probabilities!.data);
    server.setFault({ mode: 'ok' });
    await expect(createNodeRuntime({ cacheDir }).loadModel({ manifest: `${server.url}/mnist/manifest.json`, engine: 'tfjs' })).rejects.toThrow(
      /"engine" is 'tfjs' but .* says version 1.1.0 is 'onnx'/,
    );
    await expect(createNodeRuntime().loadModel({ manifest: `${server.url}/mnist/manifest.json` })).rejects.toThrow(/needs a runtime created with a `models` cache/);
  });
});

describe('ModelCache: revocation, slow downloads, abort', () => {
  it('removes a cached version once the manifest revokes it, and never serves it offline', async () => {
    const { cp, writeFile: write } = await import('node:fs/promises');
    const root = await mkdtemp(join(tmpdir(), 'edgewise-revoke-'));
    await cp(join(generated, 'mnist'), join(root, 'mnist'), { recursive: true });
    const own = await startFaultServer(root);
    try {
      const events: CacheEvent[] = [];
      const cache = new ModelCache(new MemoryStore(), { onEvent: (e) => events.push(e), revalidate: 'before-load' });
      const url = `${own.url}/mnist/manifest.json`;
      await cache.load(url, { version: '1.0.0' });
      const m = JSON.parse(await readFile(join(root, 'mnist/manifest.json'), 'utf8'));
      await write(join(root, 'mnist/manifest.json'), JSON.stringify({ ...m, revoked: ['1.0.0'] }));
      await expect(cache.load(url, { version: '1.0.0' })).rejects.toThrow(/has been revoked/);
      expect(events.map((e) => e.type)).toContain('revoked-removed');
      expect((await cache.list()).map((r) => r.version)).not.toContain('1.0.0');
      own.setFault({ mode: 'offline' });
      await expect(cache.load(url, { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_NOT_CACHED' });
    } finally {
      await own.close();
    }
  });

  it('reports progress through a slow download; an abort installs nothing, and the next load resumes where it stopped', async () => {
    server.setFault({ mode: 'slow', bytesPerTick: 64 * 1024, match: /\.onnx$/ });
    const cache = new ModelCache(new MemoryStore(), { chunkSize: 256 * 1024 });
    const controller = new AbortController();
    const seen: number[] = [];
    const url = `${server.url}/mnist/manifest.json`;
    const pending = cache.load(url, {
      version: '1.0.0',
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.loaded);
        if (p.loaded > 1_000_000) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(seen.length).toBeGreaterThan(10);
    expect(await cache.list()).toEqual([]);
    // What was stored stays for the resume, and garbage collection keeps it.
    expect(await cache.collectGarbage()).toBe(0);
    expect(await cache.adapter.listChunkKeys()).toHaveLength(1);
    server.setFault({ mode: 'ok' });
    server.ranges.length = 0;
    const resumed: number[] = [];
    const model = await cache.load(url, { version: '1.0.0', onProgress: (p) => resumed.push(p.loaded) });
    expect(server.ranges).toEqual([{ path: '/mnist/model.onnx', range: expect.stringMatching(/^bytes=\d+-$/), status: 206 }]);
    const from = Number(/\d+/.exec(server.ranges[0]!.range)![0]);
    expect(from % (256 * 1024)).toBe(0);
    expect(from).toBeGreaterThanOrEqual(512 * 1024);
    expect(resumed[0]).toBe(from);
    const onDisk = await readFile(join(generated, 'mnist/model.onnx'));
    expect(Buffer.from(model.files['model.onnx']!).equals(onDisk)).toBe(true);
    expect(await cache.adapter.listChunkKeys()).toHaveLength(1);
  });
});

describe('ModelCache: QuotaExceededError while writing', () => {
  /** A memory store with a byte limit that throws what browsers throw (pure-logic double of IndexedDB quota). */
  class LimitedStore extends MemoryStore {
    used = new Map<string, number>();
    constructor(private readonly limit: number) {
      super();
    }
    override async putChunk(key: string, index: number, data: Uint8Array) {
      const total = [...this.used.values()].reduce((a, b) => a + b, 0);
      if (total + data.byteLength > this.limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      this.used.set(`${key}:${index}`, data.byteLength);
      await super.putChunk(key, index, data);
    }
    override async deleteChunks(key: string) {
      for (const k of [...this.used.keys()]) if (k.startsWith(`${key}:`)) this.used.delete(k);
      await super.deleteChunks(key);
    }
  }

  it('evicts the least recently used unpinned version and retries, then fails with E_QUOTA', async () => {
    server.setFault({ mode: 'ok' });
    const events: CacheEvent[] = [];
    const cache = new ModelCache(new LimitedStore(3_500_000), { chunkSize: 512 * 1024, onEvent: (e) => events.push(e) });
    const url = `${server.url}/mnist/manifest.json`;
    await cache.load(url, { version: '1.0.0' });
    await cache.load(url, { version: '1.1.0' });
    await cache.load(url, { version: '1.0.0-tfjs' });
    expect(events.filter((e) => e.type === 'evicted').map((e) => (e as { id: string }).id)).toEqual([`${url}@1.0.0`]);
    await cache.pin(url, '1.1.0');
    await expect(cache.load(url, { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_QUOTA' });
    // What was installed is untouched by the failed install.
    expect((await cache.list()).map((r) => r.version).sort()).toEqual(['1.0.0-tfjs', '1.1.0']);
    expect(await cache.collectGarbage()).toBe(0);
  });
});
