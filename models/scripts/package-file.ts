import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Path of a data or model file shipped inside an npm package. Walks the node_modules lookup paths
 * directly, because packages' "exports" maps often hide their data folders from require.resolve.
 */
export function packageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = join(dir, pkg, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`packageFile: ${file} not found in package ${pkg}; is it installed (npm ci)?`);
}
