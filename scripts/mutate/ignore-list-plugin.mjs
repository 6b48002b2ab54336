// A Stryker "ignorer" that skips the mutants listed in mutation/ignored.json, each with its reason.
// Plain JS (not TS) because Stryker also loads plugins in its test-runner child processes, which
// run without tsx. The list lives apart from the sources so that keeping a mutant out of the
// score needs no comment in code that other branches are editing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LIST = fileURLToPath(new URL('../../mutation/ignored.json', import.meta.url));

/** Whitespace-insensitive, so reformatting the code does not silently drop an entry. */
export const normalizeCode = (code) => code.replace(/\s+/g, ' ').trim();

/** @returns {{ file: string, code: string, reason: string }[]} */
export function readIgnoreList() {
  return JSON.parse(readFileSync(LIST, 'utf8')).mutants;
}

const byFile = new Map();
for (const entry of readIgnoreList()) {
  const list = byFile.get(entry.file) ?? [];
  list.push({ code: normalizeCode(entry.code), reason: entry.reason });
  byFile.set(entry.file, list);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'edgewise-ignore-list', {
    // The first (outermost) node whose source text equals an entry's `code` is ignored with
    // everything inside it; every occurrence of that text in the file matches.
    shouldIgnore(path) {
      const filename = (path.hub?.file?.opts?.filename ?? '').replaceAll('\\', '/');
      for (const [file, entries] of byFile) {
        if (!filename.endsWith(`/${file}`)) continue;
        const { start, end } = path.node;
        if (start == null || end == null) return undefined;
        const source = normalizeCode(path.hub.file.code.slice(start, end));
        const hit = entries.find((e) => e.code === source);
        if (hit) return hit.reason;
      }
      return undefined;
    },
  }),
];
