import type { Report } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { KeyValueOutbox, type KeyValueStorage } from './key-value-outbox.js';

/** AsyncStorage's contract over a Map (a unit test of the outbox's logic; the real store is React Native's). */
class MapStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  /** Keys listed but gone by the time they are read (another writer removed them in between). */
  readonly vanishing = new Set<string>();
  async getItem(key: string) {
    return this.vanishing.has(key) ? null : (this.items.get(key) ?? null);
  }
  async setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  async removeItem(key: string) {
    this.items.delete(key);
  }
  async getAllKeys() {
    return [...this.items.keys(), ...this.vanishing];
  }
}

const report = (id: string, end: number) => ({ v: 1, id, model: 'm', modelVersion: '1', window: { start: end - 10, end } }) as unknown as Report;

describe('KeyValueOutbox (React Native AsyncStorage and the like)', () => {
  it('lists its reports oldest first and removes them by id', async () => {
    const storage = new MapStorage();
    const outbox = new KeyValueOutbox(storage);
    await outbox.add(report('b', 200));
    await outbox.add(report('a', 100));
    expect((await outbox.list()).map((r) => r.id)).toEqual(['a', 'b']);
    await outbox.remove('a');
    expect((await outbox.list()).map((r) => r.id)).toEqual(['b']);
    expect([...storage.items.keys()]).toEqual(['edgewise-outbox:b']);
  });

  it("neither reads nor removes the app's other keys in the same store", async () => {
    const storage = new MapStorage();
    storage.items.set('settings', 'not json at all');
    storage.items.set('user', '{"name":"ada"}');
    const outbox = new KeyValueOutbox(storage);
    await outbox.add(report('a', 100));
    expect((await outbox.list()).map((r) => r.id)).toEqual(['a']);
    expect(storage.items.get('settings')).toBe('not json at all');
    expect(storage.items.get('user')).toBe('{"name":"ada"}');
  });

  it('drops a damaged entry without blocking the others, and skips one removed while listing', async () => {
    const storage = new MapStorage();
    const outbox = new KeyValueOutbox(storage);
    await outbox.add(report('a', 100));
    storage.items.set('edgewise-outbox:torn', '{"v":1,"id":"torn","win');
    storage.vanishing.add('edgewise-outbox:gone');
    expect((await outbox.list()).map((r) => r.id)).toEqual(['a']);
    expect(storage.items.has('edgewise-outbox:torn')).toBe(false);
  });

  it('two outboxes with their own prefixes share a store without seeing each other', async () => {
    const storage = new MapStorage();
    const one = new KeyValueOutbox(storage, 'one:');
    const two = new KeyValueOutbox(storage, 'two:');
    await one.add(report('a', 100));
    await two.add(report('b', 100));
    expect((await one.list()).map((r) => r.id)).toEqual(['a']);
    expect((await two.list()).map((r) => r.id)).toEqual(['b']);
  });
});
