import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ManifestVersion } from './manifest.js';
import { MemoryStore } from './memory-store.js';
import { SpaceManager } from './space-manager.js';
import type { InstalledVersion, ModelState } from './store-adapter.js';
import { VersionStore } from './version-store.js';

/**
 * VersionStore over memory stores, with an origin that answers from a map of files (honouring
 * Range, with strong ETags) and can drop a body after N bytes. The HTTP rules themselves are in
 * download.test.ts; here: what is stored, read back, resumed and discarded.
 */
const CHUNK = 1024;
const A = randomBytes(2500); // 3 chunks: 1024, 1024, 452
const B = randomBytes(3000);
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const spec = (files: Record<string, Uint8Array> = { 'a.bin': A, 'b.bin': B }, extra: Partial<ManifestVersion> = {}): ManifestVersion => ({
  engine: 'onnx',
  entry: Object.keys(files)[0]!,
  files: Object.entries(files).map(([path, b]) => ({ path, size: b.byteLength, sha256: hex(b) })),
  ...extra,
});

/** A memory store that can also lose or replace single chunks, and optionally read in place. */
class TestStore extends MemoryStore {
  private own = new Map<string, Uint8Array>();
  override async putChunk(key: string, index: number, data: Uint8Array) {
    this.own.set(`${key}:${index}`, data.slice());
  }
  override async getChunk(key: string, index: number) {
    return this.own.get(`${key}:${index}`)?.slice();
  }
  override async deleteChunks(key: string) {
    for (const k of [...this.own.keys()]) if (k.startsWith(`${key}:`)) this.own.delete(k);
  }
  override async listChunkKeys() {
    return [...new Set([...this.own.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))];
  }
  drop(key: string, index: number) {
    this.own.delete(`${key}:${index}`);
  }
}
/** As FsStore and the browser stores do: chunks read straight into the caller's buffer. */
class InPlaceStore extends TestStore {
  async readChunkInto(key: string, index: number, target: Uint8Array) {
    const chunk = await this.getChunk(key, index);
    if (!chunk) return undefined;
    target.set(chunk.subarray(0, target.byteLength));
    return chunk.byteLength;
  }
}

function origin(files: Record<string, Uint8Array>) {
  const requests: Array<{ path: string; range?: string }> = [];
  let dropAfter: { path: string; bytes: number } | undefined;
  const fetchImpl: typeof fetch = async (url, init) => {
    const path = new URL(String(url)).pathname.replace(/^\/m\//, '');
    const range = (init?.headers as Record<string, string> | undefined)?.range;
    requests.push(range ? { path, range } : { path });
    const body = files[path];
    if (!body) return new Response('missing', { status: 404 });
    const start = range ? Number(/^bytes=(\d+)-$/.exec(range)![1]) : 0;
    const headers: Record<string, string> = { etag: `"${hex(body).slice(0, 8)}"` };
    if (range) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    const part = body.subarray(start);
    if (dropAfter?.path === path) {
      const cut = part.subarray(0, dropAfter.bytes);
      dropAfter = undefined;
      let sent = false;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) return c.error(new Error('connection reset'));
          sent = true;
          c.enqueue(cut.slice());
        },
      });
      return new Response(stream, { status: range ? 206 : 200, headers });
    }
    return new Response(part.slice(), { status: range ? 206 : 200, headers });
  };
  return { fetchImpl, requests, dropNextAfter: (bytes: number, path = 'a.bin') => void (dropAfter = { path, bytes }) };
}

const MANIFEST = 'https://models.example/m/manifest.json';
function versions(adapter = new TestStore(), files: Record<string, Uint8Array> = { 'a.bin': A, 'b.bin': B }, chunkSize = CHUNK) {
  const o = origin(files);
  const store = new VersionStore(adapter, new SpaceManager(adapter, async () => undefined, async () => ({})), { chunkSize, fetch: o.fetchImpl, retries: 0 });
  return { store, adapter, ...o };
}
const job = (overrides: Partial<Parameters<VersionStore['install']>[0]> = {}) => ({ id: `${MANIFEST}@1`, manifestUrl: MANIFEST, version: '1', spec: spec(), keepBytes: true, ...overrides });

afterEach(() => vi.restoreAllMocks());

describe('VersionStore.read', () => {
  for (const [kind, make] of [
    ['copying', () => new TestStore()],
    ['in place', () => new InPlaceStore()],
  ] as const) {
    describe(`reading ${kind}`, () => {
      async function installed() {
        const v = versions(make());
        const { record } = await v.store.install(job());
        return { ...v, record, key: record.files[0]!.chunkKey };
      }

      it('gives back every file exactly, with and without hashing', async () => {
        const { store, record } = await installed();
        for (const verify of [true, false]) {
          const read = await store.read(record, verify);
          expect('files' in read && Buffer.from(read.files['a.bin']!).equals(A) && Buffer.from(read.files['b.bin']!).equals(B)).toBe(true);
        }
      });

      it('reports a flipped byte only when hashing', async () => {
        const { store, adapter, record, key } = await installed();
        const chunk = (await adapter.getChunk(key, 1))!;
        chunk[0] = chunk[0]! ^ 1;
        await adapter.putChunk(key, 1, chunk);
        const damaged = Buffer.from(A);
        damaged[1024] = damaged[1024]! ^ 1;
        expect(await store.read(record, true)).toEqual({ corrupt: { file: 'a.bin', reason: `SHA-256 ${hex(damaged)} ≠ ${hex(A)}` } });
        expect('files' in (await store.read(record, false))).toBe(true);
      });

      it('names a missing chunk, a chunk too long and a file too short', async () => {
        const { store, adapter, record, key } = await installed();
        const inPlace = kind === 'in place';
        adapter.drop(key, 1);
        expect(await store.read(record, false)).toEqual({ corrupt: { file: 'a.bin', reason: 'chunk 1 of 3 is missing' } });
        await adapter.putChunk(key, 1, new Uint8Array(2000));
        expect(await store.read(record, false)).toEqual({ corrupt: { file: 'a.bin', reason: inPlace ? 'chunk 1 holds 2000 bytes, not 1024' : 'more than the recorded 2500 bytes' } });
        await adapter.putChunk(key, 1, A.subarray(1024, 2048));
        await adapter.putChunk(key, 2, A.subarray(2048, 2400));
        expect(await store.read(record, false)).toEqual({ corrupt: { file: 'a.bin', reason: inPlace ? 'chunk 2 holds 352 bytes, not 452' : '2400 of 2500 bytes' } });
      });

      it('refuses a record whose chunk count does not fit its size', async () => {
        const { store, record } = await installed();
        const wrong: InstalledVersion = { ...record, files: [{ ...record.files[0]!, chunks: 2 }, record.files[1]!] };
        expect(await store.read(wrong, false)).toEqual({ corrupt: { file: 'a.bin', reason: kind === 'in place' ? '2 chunks recorded for 2500 bytes' : '2048 of 2500 bytes' } });
        const more: InstalledVersion = { ...record, files: [{ ...record.files[0]!, chunks: 4 }, record.files[1]!] };
        expect(await store.read(more, false)).toMatchObject({ corrupt: { file: 'a.bin', reason: kind === 'in place' ? '4 chunks recorded for 2500 bytes' : 'chunk 3 of 4 is missing' } });
      });

      it('reads a record written before chunk sizes were recorded by copying', async () => {
        const { store, record } = await installed();
        const old: InstalledVersion = { ...record, files: record.files.map(({ chunkSize: _, ...f }) => f) };
        const read = await store.read(old, true);
        expect('files' in read && Buffer.from(read.files['b.bin']!).equals(B)).toBe(true);
      });
    });
  }
});

describe('VersionStore.install', () => {
  it('writes the record last and returns the bytes only when asked to keep them', async () => {
    const v = versions();
    const kept = await v.store.install(job());
    expect(Object.keys(kept.files!)).toEqual(['a.bin', 'b.bin']);
    expect(kept.record).toMatchObject({ id: `${MANIFEST}@1`, model: MANIFEST, version: '1', engine: 'onnx', entry: 'a.bin', bytes: 5500, pinned: false });
    expect('baseline' in kept.record).toBe(false);
    expect(kept.record.files.map((f) => [f.path, f.chunks, f.chunkSize])).toEqual([
      ['a.bin', 3, CHUNK],
      ['b.bin', 3, CHUNK],
    ]);
    const background = await versions().store.install(job({ keepBytes: false, spec: spec(undefined, { baseline: 'baselines/1.json' }) }));
    expect(background).toEqual({ record: expect.objectContaining({ baseline: 'https://models.example/m/baselines/1.json' }) });
  });

  it('refuses bytes whose SHA-256 is not the manifest\'s, and keeps nothing of them', async () => {
    const v = versions(new TestStore(), { 'a.bin': A, 'b.bin': randomBytes(3000) });
    const error = await v.store.install(job()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_INTEGRITY', message: expect.stringMatching(/^https:\/\/models\.example\/m\/b\.bin: SHA-256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}; nothing was installed\.$/) });
    expect(await v.adapter.listChunkKeys()).toEqual([]);
    expect(await v.adapter.getState(`download:${MANIFEST}@1`)).toBeUndefined();
  });

  it('after a drop, resumes where it stopped: done files are not fetched again, progress starts from the stored bytes', async () => {
    const v = versions();
    v.dropNextAfter(2000, 'b.bin'); // a.bin whole, then b.bin drops after 2000 bytes: 1 chunk of it is stored
    await expect(v.store.install(job())).rejects.toMatchObject({ code: 'E_DOWNLOAD' });
    const progress: Array<{ loaded: number; file: string }> = [];
    const resumed = versions(v.adapter);
    const { files } = await resumed.store.install(job({ onProgress: (p) => progress.push({ loaded: p.loaded, file: p.file }) }));
    expect(resumed.requests).toEqual([{ path: 'b.bin', range: 'bytes=1024-' }]);
    expect(progress[0]).toEqual({ loaded: 2500 + 1024, file: 'b.bin' });
    expect(progress.at(-1)).toEqual({ loaded: 5500, file: 'b.bin' });
    expect(Buffer.from(files!['a.bin']!).equals(A) && Buffer.from(files!['b.bin']!).equals(B)).toBe(true);
  });

  it('a fresh install reports no progress before the first bytes arrive', async () => {
    const progress: number[] = [];
    await versions().store.install(job({ onProgress: (p) => progress.push(p.loaded) }));
    expect(progress[0]).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(5500);
  });

  it('restarts a file from byte 0 when its stored chunks are gone, too long or too short', async () => {
    for (const damage of ['gone', 'long', 'short'] as const) {
      const v = versions(new TestStore(), { 'a.bin': A });
      v.dropNextAfter(2100); // two chunks stored
      await v.store.install(job({ spec: spec({ 'a.bin': A }) })).catch(() => undefined);
      const key = (await v.adapter.getState(`download:${MANIFEST}@1`))!.download!.files[0]!.chunkKey;
      if (damage === 'gone') v.adapter.drop(key, 1);
      if (damage === 'long') await v.adapter.putChunk(key, 1, new Uint8Array(1600));
      if (damage === 'short') await v.adapter.putChunk(key, 1, A.subarray(1024, 1500));
      const resumed = versions(v.adapter, { 'a.bin': A });
      const progress: number[] = [];
      const { files } = await resumed.store.install(job({ spec: spec({ 'a.bin': A }), onProgress: (p) => progress.push(p.loaded) }));
      expect(resumed.requests, damage).toEqual([{ path: 'a.bin' }]);
      expect(Buffer.from(files!['a.bin']!).equals(A), damage).toBe(true);
      expect(Math.max(...progress), damage).toBe(2500);
    }
  });

  it('starts afresh, deleting the old chunks, when the manifest changed a file or the chunk size changed', async () => {
    for (const change of ['sha256', 'size', 'path', 'count', 'chunk size'] as const) {
      const v = versions();
      v.dropNextAfter(1500);
      await v.store.install(job()).catch(() => undefined);
      const oldKey = (await v.adapter.getState(`download:${MANIFEST}@1`))!.download!.files[0]!.chunkKey;
      const A2 = change === 'size' ? randomBytes(2600) : change === 'sha256' ? randomBytes(2500) : A;
      const files: Record<string, Uint8Array> = change === 'path' ? { 'a2.bin': A, 'b.bin': B } : change === 'count' ? { 'a.bin': A } : { 'a.bin': A2, 'b.bin': B };
      const resumed = versions(v.adapter, files, change === 'chunk size' ? 2048 : CHUNK);
      const { files: got } = await resumed.store.install(job({ spec: spec(files) }));
      expect(resumed.requests[0], change).toEqual({ path: Object.keys(files)[0] });
      expect(await v.adapter.listChunkKeys(), change).not.toContain(oldKey);
      expect(Buffer.from(got![Object.keys(files)[0]!]!).equals(Object.values(files)[0]!), change).toBe(true);
    }
  });

  it('saves where a download stands about once a second, and when each file is done', async () => {
    let now = 1_000_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const adapter = new (class extends TestStore {
      saved: number[] = [];
      override async putChunk(key: string, index: number, data: Uint8Array) {
        now += 500;
        await super.putChunk(key, index, data);
      }
      override async putState(state: ModelState) {
        if (state.download) this.saved.push(state.download.files[0]!.bytes);
        await super.putState(state);
      }
    })();
    const v = versions(adapter, { 'a.bin': B });
    await v.store.install(job({ spec: spec({ 'a.bin': B }) }));
    // Chunks stored at +0.5 s, +1 s, +1.5 s: saved after the first, after the third (1 s later), and at the end.
    expect(adapter.saved).toEqual([1024, 3000, 3000]);
  });

  it('tells garbage collection which chunks a download in progress still needs', async () => {
    const v = versions();
    expect(await v.store.inProgress(`${MANIFEST}@1#a.bin#x`)).toBe(false);
    v.dropNextAfter(1500);
    await v.store.install(job()).catch(() => undefined);
    const files = (await v.adapter.getState(`download:${MANIFEST}@1`))!.download!.files;
    expect(await v.store.inProgress(files[0]!.chunkKey)).toBe(true);
    expect(await v.store.inProgress(files[1]!.chunkKey)).toBe(true);
    expect(await v.store.inProgress(`${MANIFEST}@1#a.bin#other`)).toBe(false);
    expect(await v.store.inProgress(`${MANIFEST}@2#a.bin#x`)).toBe(false);
  });

  it('keeps the interrupted downloads of two versions apart', async () => {
    const v = versions();
    v.dropNextAfter(1500);
    await v.store.install(job()).catch(() => undefined);
    v.dropNextAfter(2100);
    await v.store.install(job({ id: `${MANIFEST}@2`, version: '2' })).catch(() => undefined);
    const resumed = versions(v.adapter);
    await resumed.store.install(job());
    await resumed.store.install(job({ id: `${MANIFEST}@2`, version: '2' }));
    expect(resumed.requests.slice(0, 1)).toEqual([{ path: 'a.bin', range: 'bytes=1024-' }]);
    expect(resumed.requests[2]).toEqual({ path: 'a.bin', range: 'bytes=2048-' });
  });
});
