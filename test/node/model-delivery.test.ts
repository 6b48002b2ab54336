/**
 * Model delivery against a real HTTP server: downloads cut mid-way resume with Range, servers that
 * ignore ranges or changed the file restart, manifests answered by captive portals and proxies fall
 * back to the cache, oversized models fail before downloading, and caches sharing one store download
 * a version once and never undo a rollback.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsStore } from '@edgewise/node';
import { MemoryStore, ModelCache, type CacheEvent, type DownloadProgress, type StoreAdapter } from '@edgewise/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer } from '../fault-server.js';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));
const CHUNK = 256 * 1024;
let server: Awaited<ReturnType<typeof startFaultServer>>;
let other: Awaited<ReturnType<typeof startFaultServer>>;
beforeAll(async () => {
  server = await startFaultServer(generated);
  other = await startFaultServer(generated);
});
afterAll(async () => {
  await server.close();
  await other.close();
});
const manifest = () => `${server.url}/mnist/manifest.json`;
const fp32 = () => readFile(join(generated, 'mnist/model.onnx'));
const reset = () => {
  server.setFault({ mode: 'ok' });
  server.setHonourRanges(true);
  server.setEtagSalt('');
  server.ranges.length = 0;
  server.requests.clear();
};

describe('resumable downloads', () => {
  it('a download cut at 60% resumes with Range for the rest only, and the result verifies', async () => {
    reset();
    server.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
    const progress: DownloadProgress[] = [];
    const cache = new ModelCache(new MemoryStore(), { chunkSize: CHUNK });
    const model = await cache.load(manifest(), { version: '1.0.0', onProgress: (p) => progress.push(p) });
    const bytes = await fp32();
    expect(Buffer.from(model.files['model.onnx']!).equals(bytes)).toBe(true);
    expect(server.requests.get('/mnist/model.onnx')).toBe(2);
    expect(server.ranges).toHaveLength(1);
    const from = Number(/^bytes=(\d+)-$/.exec(server.ranges[0]!.range)![1]);
    expect(server.ranges[0]!.status).toBe(206);
    // From the last whole chunk stored before the cut.
    expect(from % CHUNK).toBe(0);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(bytes.length * 0.6);
    expect(progress.at(-1)).toMatchObject({ loaded: bytes.length, total: bytes.length });
  });

  it('restarts from 0 when the server answers a Range with the whole file (200)', async () => {
    reset();
    server.setHonourRanges(false);
    server.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
    const progress: DownloadProgress[] = [];
    const model = await new ModelCache(new MemoryStore(), { chunkSize: CHUNK }).load(manifest(), { version: '1.0.0', onProgress: (p) => progress.push(p) });
    expect(Buffer.from(model.files['model.onnx']!).equals(await fp32())).toBe(true);
    expect(server.ranges).toEqual([expect.objectContaining({ status: 200 })]);
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
  });

  it('restarts from 0 when the file changed (ETag) between the cut and the resume', async () => {
    reset();
    server.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
    const cache = new ModelCache(new MemoryStore(), { chunkSize: CHUNK, retries: 0 });
    await expect(cache.load(manifest(), { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_DOWNLOAD', message: expect.stringMatching(/the next load resumes/) });
    server.setFault({ mode: 'ok' });
    server.setEtagSalt('redeployed');
    const model = await cache.load(manifest(), { version: '1.0.0' });
    // If-Range carried the old ETag; the server answered the whole file, which the cache took from 0.
    expect(server.ranges).toEqual([expect.objectContaining({ status: 200 })]);
    expect(Buffer.from(model.files['model.onnx']!).equals(await fp32())).toBe(true);
  });

  it('resumes after a restart of the app (a new cache over the same directory)', async () => {
    reset();
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-resume-'));
    server.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
    await expect(new ModelCache(new FsStore(dir), { chunkSize: CHUNK, retries: 0 }).load(manifest(), { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_DOWNLOAD' });
    server.setFault({ mode: 'ok' });
    const events: CacheEvent[] = [];
    const model = await new ModelCache(new FsStore(dir), { chunkSize: CHUNK, onEvent: (e) => events.push(e) }).load(manifest(), { version: '1.0.0' });
    expect(server.ranges).toEqual([expect.objectContaining({ status: 206 })]);
    expect(Buffer.from(model.files['model.onnx']!).equals(await fp32())).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['installed']);
  });

  it('discards a partial download of a file the manifest has since replaced', async () => {
    reset();
    const root = await mkdtemp(join(tmpdir(), 'edgewise-replaced-'));
    await cp(join(generated, 'mnist'), join(root, 'mnist'), { recursive: true });
    const own = await startFaultServer(root);
    try {
      const url = `${own.url}/mnist/manifest.json`;
      own.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
      const cache = new ModelCache(new MemoryStore(), { chunkSize: CHUNK, retries: 0 });
      await expect(cache.load(url, { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_DOWNLOAD' });
      // A new build of 1.0.0: other bytes, other SHA-256 in the manifest.
      const m = JSON.parse(await readFile(join(root, 'mnist/manifest.json'), 'utf8'));
      const int8 = await readFile(join(root, 'mnist/model-int8.onnx'));
      await writeFile(join(root, 'mnist/model.onnx'), int8);
      m.versions['1.0.0'].files = m.versions['1.1.0'].files.map((f: { path: string }) => ({ ...f, path: 'model.onnx' }));
      m.versions['1.0.0'].entry = 'model.onnx';
      await writeFile(join(root, 'mnist/manifest.json'), JSON.stringify(m));
      own.setFault({ mode: 'ok' });
      own.ranges.length = 0;
      const model = await cache.load(url, { version: '1.0.0', revalidate: 'before-load' });
      expect(own.ranges).toEqual([]);
      expect(Buffer.from(model.files['model.onnx']!).equals(int8)).toBe(true);
      expect(await cache.adapter.listChunkKeys()).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe('manifests the real web answers', () => {
  const faults = [
    ['a captive portal (HTML)', { mode: 'html' }, 'html', /answered HTML/],
    ['a truncated manifest', { mode: 'truncate-json' }, 'not-json', /is not JSON \(truncated/],
    ['the wrong content type', { mode: 'content-type', type: 'image/png' }, 'wrong-content-type', /content-type image\/png/],
    ['a redirect to another origin', { mode: 'redirect', location: 'OTHER' }, 'cross-origin-redirect', /redirected to another origin/],
    ['a 502 from a proxy', { mode: 'fail' }, 'server-error', /HTTP 503/],
  ] as const;
  for (const [what, fault, reason, detail] of faults) {
    it(`${what} is "network unavailable": the cached version serves, the event says why`, async () => {
      reset();
      const events: CacheEvent[] = [];
      const cache = new ModelCache(new MemoryStore(), { onEvent: (e) => events.push(e) });
      await cache.load(manifest());
      const location = `${other.url}/mnist/manifest.json`;
      server.setFault({ ...fault, ...(fault.mode === 'redirect' ? { location } : {}), match: /manifest\.json$/ } as Parameters<typeof server.setFault>[0]);
      const first = await cache.load(manifest(), { revalidate: 'before-load' });
      expect(first).toMatchObject({ version: '1.1.0', fromCache: true });
      expect(events.at(-1)).toMatchObject({ type: 'offline', reason, detail: expect.stringMatching(detail) });
      expect((events.at(-1) as { detail: string }).detail).toContain(manifest());
      // Stale-while-revalidate: served at once, the background check reports the same reason.
      await cache.load(manifest());
      await cache.settled();
      expect(events.at(-1)).toMatchObject({ type: 'revalidation-failed', reason });
      // Nothing cached: the error names the URL and what came back.
      await expect(new ModelCache(new MemoryStore()).load(manifest())).rejects.toMatchObject({ code: 'E_NOT_CACHED', message: expect.stringMatching(detail) });
      server.setFault({ mode: 'ok' });
    });
  }
});

describe("verify: 'install'", () => {
  it('loads without hashing, and verify() finds, deletes and reports a damaged version', async () => {
    reset();
    const events: CacheEvent[] = [];
    const cache = new ModelCache(new MemoryStore(), { verify: 'install', onEvent: (e) => events.push(e) });
    await cache.load(manifest(), { version: '1.0.0' });
    const [record] = await cache.list();
    const chunk = (await cache.adapter.getChunk(record!.files[0]!.chunkKey, 0))!;
    chunk[100] = chunk[100]! ^ 0xff;
    await cache.adapter.putChunk(record!.files[0]!.chunkKey, 0, chunk);
    // Same size, so a load that checks sizes only serves it; the scheduled check catches it.
    expect((await cache.load(manifest(), { version: '1.0.0' })).fromCache).toBe(true);
    expect(await cache.verify(manifest())).toEqual({ checked: 1, deleted: [record!.id] });
    expect(events.at(-1)).toMatchObject({ type: 'corrupted', id: record!.id, reason: expect.stringMatching(/SHA-256/) });
    expect(await cache.list()).toEqual([]);
  });
});

describe('limits', () => {
  it('refuses a model that cannot fit before downloading anything, naming the file and the limit', async () => {
    reset();
    const cache = new ModelCache(new MemoryStore(), { limits: { maxFileBytes: 1_000_000 } });
    await expect(cache.load(manifest(), { version: '1.0.0' })).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: expect.stringMatching(/file model\.onnx is 2679701 bytes.*limit 1000000/) });
    await expect(new ModelCache(new MemoryStore(), { limits: { maxModelBytes: 1_000_000 } }).load(manifest(), { version: '1.0.0' })).rejects.toThrow(/wasm32 engine cannot hold more than 1000000 bytes/);
    expect(server.requests.get('/mnist/model.onnx')).toBeUndefined();
  });
});

/** Test-side wrapper: holds chunk reads until released, to stop a load between choosing and activating. */
function gated(adapter: StoreAdapter) {
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  let reached: () => void = () => undefined;
  const getChunk: StoreAdapter['getChunk'] = async (key, index) => {
    if (gate) {
      reached();
      await gate;
    }
    return adapter.getChunk(key, index);
  };
  const readChunkInto: NonNullable<StoreAdapter['readChunkInto']> = async (key, index, into) => {
    if (gate) {
      reached();
      await gate;
    }
    return adapter.readChunkInto!(key, index, into);
  };
  const wrapped = new Proxy(adapter, {
    get: (target, prop) => {
      if (prop === 'getChunk') return getChunk;
      if (prop === 'readChunkInto' && target.readChunkInto) return readChunkInto;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    adapter: wrapped,
    close: () => new Promise<void>((r) => ((reached = r), (gate = new Promise((o) => (open = o))))),
    open: () => ((gate = undefined), open()),
  };
}

describe('caches sharing one store (as the page, its worker and other tabs do)', () => {
  it('two caches loading the same new version download it once', async () => {
    reset();
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-shared-'));
    server.setFault({ mode: 'slow', bytesPerTick: 128 * 1024, match: /\.onnx$/ });
    const [a, b] = await Promise.all([new ModelCache(new FsStore(dir)).load(manifest()), new ModelCache(new FsStore(dir)).load(manifest())]);
    expect(server.requests.get('/mnist/model-int8.onnx')).toBe(1);
    expect(Buffer.from(a.files['model-int8.onnx']!).equals(Buffer.from(b.files['model-int8.onnx']!))).toBe(true);
    expect([a.fromCache, b.fromCache].sort()).toEqual([false, true]);
  });

  it('a rollback is never undone by a load that chose its version before the rollback', async () => {
    reset();
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-race-'));
    const events: CacheEvent[] = [];
    const setup = new ModelCache(new FsStore(dir));
    await setup.load(manifest(), { version: '1.0.0' });
    await setup.load(manifest(), { revalidate: 'before-load' });
    const gate = gated(new FsStore(dir));
    const page = new ModelCache(gate.adapter, { onEvent: (e) => events.push(e) });
    const worker = new ModelCache(new FsStore(dir));
    const blocked = gate.close();
    const loading = page.load(manifest()); // chooses the active 1.1.0, then waits in its reads
    await blocked;
    expect(await worker.rollback(manifest())).toBe('1.0.0');
    gate.open();
    expect((await loading).version).toBe('1.0.0');
    await page.settled();
    const state = await new FsStore(dir).getState(manifest());
    expect(state).toMatchObject({ active: '1.0.0', previous: '1.1.0', rolledBackFrom: '1.1.0' });
    expect(events).toContainEqual({ type: 'activated-elsewhere', model: manifest(), version: '1.0.0' });
  });
});
