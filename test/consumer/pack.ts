import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

/** `npm pack`s every workspace package (from its built dist/) into `dir`; returns the tarballs. */
export async function packAll(dir: string): Promise<string[]> {
  const packages = await readdir(join(repo, 'packages'));
  for (const name of packages) await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: join(repo, 'packages', name) });
  return (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
}

export const REPO = repo;
