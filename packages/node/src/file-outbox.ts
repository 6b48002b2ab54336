import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Outbox } from '@edgewise/uplink';
import type { Report } from '@edgewise/wire';

/**
 * The uplink outbox for Node and Electron's main process: one JSON file per report, written beside
 * and renamed, so a crash never leaves a half report and reports survive restarts.
 *
 * @example
 * createUplink({ …, outbox: new FileOutbox(join(app.getPath('userData'), 'edgewise-outbox')) });
 */
export class FileOutbox implements Outbox {
  constructor(readonly dir: string) {}

  async add(report: Report): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${report.id}.json`);
    await writeFile(`${path}.tmp`, JSON.stringify(report));
    await rename(`${path}.tmp`, path);
  }

  async list(): Promise<Report[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const reports: Report[] = [];
    for (const name of names) {
      try {
        reports.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as Report);
      } catch {
        // A damaged file cannot be sent; drop it rather than block every later report.
        await rm(join(this.dir, name), { force: true });
      }
    }
    return reports.sort((a, b) => a.window.end - b.window.end);
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.dir, `${id}.json`), { force: true });
  }
}
