import { buildBaseline } from '@edgewise/drift';
import { describe, expect, it } from 'vitest';
import { BaselineRegistry } from './baseline-registry.js';
import type { Database } from './database.js';
import { withMigratedPglite } from './pglite.fixture.js';
import { BaselineInvalidError } from './errors.js';
import { layoutOf } from './layout.js';

/** Baselines per app × model × version on a real embedded PGlite: checks, replacement, the cache between processes. */
let db: Database;
withMigratedPglite((opened) => (db = opened));

const column = (shift: number) => Array.from({ length: 200 }, (_, i) => i + shift);
const baseline = (shift = 0, bins = 4) => buildBaseline({ x: column(shift), sky: column(0).map((i) => (i % 3 ? 'sun' : 'rain')) }, { bins });
const options = { ttlMs: 60_000, maxCategoriesPerFeature: 1024 };

describe('BaselineRegistry', () => {
  it('stores a baseline per app, model and version, with its layout, and reads it back in another process', async () => {
    const original = baseline();
    const registered = await new BaselineRegistry(db, options).register('a', 'm', '1', original);
    expect(registered.layout).toEqual(layoutOf(original, 1024));
    const elsewhere = await new BaselineRegistry(db, options).get('a', 'm', '1');
    expect(elsewhere!.layout.hash).toBe(registered.layout.hash);
    expect(elsewhere!.baseline).toEqual(original);
    for (const [app, model, version] of [['b', 'm', '1'], ['a', 'n', '1'], ['a', 'm', '2']]) {
      expect(await new BaselineRegistry(db, options).get(app!, model!, version!)).toBeUndefined();
    }
  });

  it('replaces a version\'s baseline; another process sees it once its copy is older than ttlMs', async () => {
    const writer = new BaselineRegistry(db, options);
    const reader = new BaselineRegistry(db, options);
    const first = await writer.register('a', 'replace', '1', baseline(0, 4));
    const t = Date.now();
    expect((await reader.get('a', 'replace', '1', t))!.layout.hash).toBe(first.layout.hash);
    const second = await writer.register('a', 'replace', '1', baseline(0, 5));
    expect(second.layout.hash).not.toBe(first.layout.hash);
    expect((await writer.get('a', 'replace', '1', t))!.layout.hash).toBe(second.layout.hash); // its own copy at once
    expect((await reader.get('a', 'replace', '1', t + 59_999))!.layout.hash).toBe(first.layout.hash); // cached
    expect((await reader.get('a', 'replace', '1', t + 60_000))!.layout.hash).toBe(second.layout.hash);
  });

  it('refuses what is not a baseline, and bad layouts, as BaselineInvalidError, storing nothing', async () => {
    const registry = new BaselineRegistry(db, options);
    await expect(registry.register('a', 'bad', '1', { format: 'nope' })).rejects.toBeInstanceOf(BaselineInvalidError);
    await expect(registry.register('a', 'bad', '1', '<html>')).rejects.toBeInstanceOf(BaselineInvalidError);
    const tooMany = buildBaseline({ c: Array.from({ length: 50 }, (_, i) => `k${i}`) });
    await expect(new BaselineRegistry(db, { ...options, maxCategoriesPerFeature: 10 }).register('a', 'bad', '1', tooMany)).rejects.toThrow(/has 50 categories; at most 10/);
    expect(await new BaselineRegistry(db, options).get('a', 'bad', '1')).toBeUndefined();
  });

  it('with privacy rules, refuses bins or vocabularies that could pin one device, naming the rule', async () => {
    const registry = new BaselineRegistry(db, { ...options, privacy: { maxBins: 4, maxCategories: 64 } });
    await expect(registry.register('a', 'private', '1', baseline(0, 10))).rejects.toThrow(/^baseline: /);
    await expect(registry.register('a', 'private', '1', baseline(0, 10))).rejects.toBeInstanceOf(BaselineInvalidError);
    await expect(registry.register('a', 'private', '1', baseline(0, 4))).resolves.toBeDefined();
  });

  it('a failed read is not cached: the next get asks the database again', async () => {
    let fail = true;
    const flaky = { ...db, query: async (sql: string, params?: unknown[]) => (fail ? Promise.reject(new Error('connection reset')) : db.query(sql, params)) } as Database;
    await new BaselineRegistry(db, options).register('a', 'flaky', '1', baseline());
    const registry = new BaselineRegistry(flaky, options);
    await expect(registry.get('a', 'flaky', '1')).rejects.toThrow('connection reset');
    fail = false;
    expect(await registry.get('a', 'flaky', '1')).toBeDefined();
  });

  it('a stored baseline whose layout no longer passes (an older collector\'s) reads as absent', async () => {
    const bad = { ...baseline(), features: { constructor: baseline().features.x } };
    await db.query(`INSERT INTO baselines (app, model, model_version, baseline, layout_hash, registered_at) VALUES ('a', 'legacy', '1', $1, 'x', 0)`, [JSON.stringify(bad)]);
    expect(await new BaselineRegistry(db, options).get('a', 'legacy', '1')).toBeUndefined();
  });
});
