import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface IgnoreEntry {
  file: string;
  code: string;
  reason: string;
}

const normalize = (code: string) => code.replace(/\s+/g, ' ').trim();

/**
 * Problems with mutation/ignored.json: entries without a reason, and stale entries whose code no
 * longer occurs in their file (they would silently ignore nothing).
 */
export function checkIgnoreList(root: string): string[] {
  const { mutants } = JSON.parse(readFileSync(join(root, 'mutation', 'ignored.json'), 'utf8')) as { mutants: IgnoreEntry[] };
  const problems: string[] = [];
  for (const entry of mutants) {
    if (!entry.reason?.trim()) problems.push(`${entry.file}: "${entry.code}" has no reason`);
    const path = join(root, entry.file);
    if (!existsSync(path)) {
      problems.push(`${entry.file} does not exist`);
      continue;
    }
    if (!normalize(readFileSync(path, 'utf8')).includes(normalize(entry.code))) problems.push(`${entry.file}: "${entry.code}" no longer occurs (stale entry)`);
  }
  return problems;
}
