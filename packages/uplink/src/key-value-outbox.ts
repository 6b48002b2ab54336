import type { Report } from '@edgewise/wire';
import type { Outbox } from './outbox.js';

/**
 * The slice of React Native's AsyncStorage (and of localStorage-like stores) the outbox needs.
 * `@react-native-async-storage/async-storage` satisfies it as it is.
 */
export interface KeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  getAllKeys(): Promise<readonly string[]>;
}

/**
 * The uplink outbox on a key-value store: one key per report, so adding or removing one never
 * rewrites the others, and a damaged entry is dropped without blocking the rest.
 *
 * @example
 * import AsyncStorage from '@react-native-async-storage/async-storage';
 * createUplink({ …, outbox: new KeyValueOutbox(AsyncStorage) });
 */
export class KeyValueOutbox implements Outbox {
  constructor(
    private readonly storage: KeyValueStorage,
    readonly prefix = 'edgewise-outbox:',
  ) {}

  async add(report: Report): Promise<void> {
    await this.storage.setItem(this.prefix + report.id, JSON.stringify(report));
  }

  async list(): Promise<Report[]> {
    const keys = (await this.storage.getAllKeys()).filter((k) => k.startsWith(this.prefix));
    const reports: Report[] = [];
    for (const key of keys) {
      const text = await this.storage.getItem(key);
      try {
        if (text !== null) reports.push(JSON.parse(text) as Report);
      } catch {
        await this.storage.removeItem(key);
      }
    }
    return reports.sort((a, b) => a.window.end - b.window.end);
  }

  async remove(id: string): Promise<void> {
    await this.storage.removeItem(this.prefix + id);
  }
}
