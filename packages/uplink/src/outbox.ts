import { openDB, type IDBPDatabase } from 'idb';
import type { Report } from '@edgewise/wire';

/** Reports waiting to be delivered; survives offline periods and reloads when persistent. */
export interface Outbox {
  add(report: Report): Promise<void>;
  /** Oldest first. */
  list(): Promise<Report[]>;
  remove(id: string): Promise<void>;
}

export class MemoryOutbox implements Outbox {
  private readonly reports = new Map<string, Report>();
  async add(report: Report) {
    this.reports.set(report.id, structuredClone(report));
  }
  async list() {
    return [...this.reports.values()].sort((a, b) => a.window.end - b.window.end);
  }
  async remove(id: string) {
    this.reports.delete(id);
  }
}

/** The browser outbox (pages and workers). */
export class IndexedDBOutbox implements Outbox {
  private db: Promise<IDBPDatabase> | undefined;
  constructor(readonly name = 'edgewise-outbox') {}
  private open() {
    return (this.db ??= openDB(this.name, 1, { upgrade: (db) => void db.createObjectStore('reports', { keyPath: 'id' }) }));
  }
  async add(report: Report) {
    await (await this.open()).put('reports', report);
  }
  async list() {
    return ((await (await this.open()).getAll('reports')) as Report[]).sort((a, b) => a.window.end - b.window.end);
  }
  async remove(id: string) {
    await (await this.open()).delete('reports', id);
  }
}
