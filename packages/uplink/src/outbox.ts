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
