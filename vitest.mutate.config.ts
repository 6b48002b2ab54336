import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { isMutationPackage, MUTATION_PACKAGES, MUTATION_SCOPES } from './scripts/mutate/packages.js';
import { sourceResolution } from './test/source-conditions.js';

/**
 * The vitest config Stryker runs (scripts/mutate.ts): node tests only, those relevant to the one
 * package named by EDGEWISE_MUTATE_PACKAGE. Not used by `npm test`.
 *
 * Stryker runs the tests in a copy of the repository (its sandbox) but links node_modules to the
 * original, so `@edgewise/x` would resolve through node_modules/@edgewise/x to the ORIGINAL,
 * unmutated sources and a test importing the package by name could never kill a mutant. Each
 * `@edgewise/*` export is therefore aliased to the `@edgewise/source` file of this copy.
 */
const root = dirname(fileURLToPath(import.meta.url));

function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    let manifest: { name: string; exports?: Record<string, { '@edgewise/source'?: string }> };
    try {
      manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
      const source = conditions['@edgewise/source'];
      if (!source) continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      aliases.push({ find: new RegExp(`^${specifier.replace(/[/.]/g, '\\$&')}$`), replacement: resolve(root, 'packages', dir, source) });
    }
  }
  return aliases;
}

const name = process.env.EDGEWISE_MUTATE_PACKAGE ?? '';
if (!isMutationPackage(name)) {
  throw new Error(`EDGEWISE_MUTATE_PACKAGE must be one of ${MUTATION_PACKAGES.join(', ')}; received "${name}" (run it through npm run mutate)`);
}

export default defineConfig({
  ...sourceResolution,
  resolve: { ...sourceResolution.resolve, alias: sourceAliases() },
  test: {
    name: `mutate-${name}`,
    environment: 'node',
    include: MUTATION_SCOPES[name].tests,
    testTimeout: 30_000,
  },
});
