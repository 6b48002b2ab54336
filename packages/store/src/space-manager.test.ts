import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { SpaceManager } from './space-manager.js';
import type { InstalledVersion } from './store-adapter.js';

/** SpaceManager's eviction order and quota errors, over a memory store with hand-made records. */
const record = (model: string, version: string, lastUsedAt: number, pinned = false): InstalledVersion => ({
  id: `${model}@${version}`,
  model,
  version,
  engine: 'onnx',
  entry: 'm.onnx',
  files: [],
  bytes: 100,
  installedAt: 0,
  lastUsedAt,
  pinned,
});

async function setup(records: InstalledVersion[], active?: { model: string; version: string }) {
  const adapter = new MemoryStore();
  for (const r of records) await adapter.putRecord(r);
  if (active) await adapter.putState({ model: active.model, revoked: [], active: active.version });
  const evicted: string[] = [];
  const evict = async (victim: InstalledVersion) => {
    evicted.push(victim.id);
    await adapter.deleteRecord(victim.id);
  };
  return { adapter, evicted, evict };
}

afterEach(() => vi.unstubAllGlobals());

describe('SpaceManager.ensure', () => {
  it('evicts least recently used first, skipping pinned versions and the active version of the model being installed', async () => {
    const { adapter, evicted, evict } = await setup(
      [record('m', '1', 30), record('m', '2', 10), record('m', '3', 20, true), record('other', '1', 5), record('m', '4', 1)],
      { model: 'm', version: '4' },
    );
    let free = 0;
    const space = new SpaceManager(adapter, async (v) => {
      await evict(v);
      free += v.bytes;
    }, async () => ({ usage: 1000 - free, quota: 1000 }));
    await space.ensure(250, 'm');
    expect(evicted).toEqual(['other@1', 'm@2', 'm@1']);
  });

  it('stops evicting as soon as the bytes fit exactly', async () => {
    const { adapter, evicted, evict } = await setup([record('m', '1', 1), record('m', '2', 2)]);
    let usage = 1000;
    const space = new SpaceManager(adapter, async (v) => {
      await evict(v);
      usage -= v.bytes;
    }, async () => ({ usage, quota: 1100 }));
    await space.ensure(200, 'm');
    expect(evicted).toEqual(['m@1']);
  });

  it('fails with E_QUOTA naming the bytes needed and free when nothing unpinned is left', async () => {
    const { adapter, evict } = await setup([record('m', '1', 1, true)]);
    const space = new SpaceManager(adapter, evict, async () => ({ usage: 900, quota: 1000 }));
    await expect(space.ensure(300, 'm')).rejects.toMatchObject({ code: 'E_QUOTA', message: 'Needs 300 bytes but only 100 are free, and no unpinned cached version is left to evict.' });
  });

  it('trusts an estimate without numbers (no usage: 0; no quota: unlimited), and checks nothing without an estimate', async () => {
    const { adapter, evicted, evict } = await setup([record('m', '1', 1)]);
    await new SpaceManager(adapter, evict, async () => ({})).ensure(1e12, 'm');
    await new SpaceManager(adapter, evict, async () => ({ quota: 500 })).ensure(500, 'm');
    vi.stubGlobal('navigator', undefined);
    await new SpaceManager(adapter, evict).ensure(1e12, 'm');
    expect(evicted).toEqual([]);
  });

  it("uses navigator.storage.estimate() by default where it exists", async () => {
    const { adapter, evict } = await setup([]);
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 10, quota: 20 }) } });
    await expect(new SpaceManager(adapter, evict).ensure(11, 'm')).rejects.toMatchObject({ code: 'E_QUOTA', message: expect.stringContaining('only 10 are free') });
    await new SpaceManager(adapter, evict).ensure(10, 'm');
  });
});

describe('SpaceManager.putChunk', () => {
  it('on QuotaExceededError evicts and retries; a full store with nothing to evict is E_QUOTA keeping the cause', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const { adapter, evicted, evict } = await setup([record('m', '1', 2), record('m', '2', 1)]);
    let failures = 2;
    const put = vi.spyOn(adapter, 'putChunk').mockImplementation(async () => {
      if (failures-- > 0) throw quota;
    });
    const space = new SpaceManager(adapter, evict);
    await space.putChunk('k', 0, new Uint8Array(1), 'm');
    expect(evicted).toEqual(['m@2', 'm@1']);
    expect(put).toHaveBeenCalledTimes(3);
    failures = 1;
    const error = await space.putChunk('key-x', 3, new Uint8Array(1), 'm').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_QUOTA', message: 'Storage is full and nothing unpinned is left to evict (writing key-x).', cause: quota });
  });

  it('passes any other write error through untouched, without evicting', async () => {
    const broken = new Error('disk on fire');
    const { adapter, evicted, evict } = await setup([record('m', '1', 1)]);
    vi.spyOn(adapter, 'putChunk').mockRejectedValue(broken);
    await expect(new SpaceManager(adapter, evict).putChunk('k', 0, new Uint8Array(1), 'm')).rejects.toBe(broken);
    expect(evicted).toEqual([]);
  });
});
