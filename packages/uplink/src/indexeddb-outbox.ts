import { openDB, type IDBPDatabase } from 'idb';
import type { Report } from '@edgewise/wire';
import type { Outbox } from './outbox.js';

/** A record that can be listed and sent: anything else in the store (another version's format, a foreign write) is not one. */
const isReport = (r: unknown): r is Report => typeof (r as Report)?.id === 'string' && typeof (r as Report)?.window?.end === 'number';

/**
 * The browser outbox (pages and workers): one IndexedDB record per report, so reports survive
 * reloads and offline periods. Tested in real Chromium (test/browser/indexeddb-outbox.test.ts).
 */
export class IndexedDBOutbox implements Outbox {
  private db: Promise<IDBPDatabase> | undefined;
  constructor(readonly name = 'edgewise-outbox') {}
  private open() {
    return (this.db ??= openDB(this.name, 1, { upgrade: (db) => void db.createObjectStore('reports', { keyPath: 'id' }) }));
  }
  async add(report: Report) {
    await (await this.open()).put('reports', report);
  }
  /** Oldest first; a record that is not a report is deleted rather than left to block every later delivery. */
  async list() {
    const db = await this.open();
    const records = (await db.getAll('reports')) as unknown[];
    const reports = records.filter(isReport);
    if (reports.length < records.length) {
      const keys = (await db.getAllKeys('reports')) as string[];
      const good = new Set(reports.map((r) => r.id));
      for (const key of keys) if (!good.has(key)) await db.delete('reports', key);
    }
    return reports.sort((a, b) => a.window.end - b.window.end);
  }
  async remove(id: string) {
    await (await this.open()).delete('reports', id);
  }
}
