import { opfsFileSystem } from '@edgewise/store';
import { describe, expect, it } from 'vitest';

const dir = `edgewise-replaced-${Date.now()}`;

describe('OPFS reads racing a replacing write (real Chromium)', () => {
  it('a read of a file replaced while it reads gets a whole version: never NotReadableError, never "missing"', async () => {
    // Records and state are written to a temporary file and moved over the old one, so a reader
    // should see the old version or the new. Found when a canary's fresh worker failed its load
    // with NotReadableError: getFile() on a handle looked up before the move fails.
    const fs = opfsFileSystem();
    const version = (n: number) => new TextEncoder().encode(JSON.stringify({ n, pad: 'x'.repeat(4096) }));
    await fs.writeFile(`${dir}/state.json`, version(0));
    let writing = true;
    const writer = (async () => {
      for (let n = 1; n <= 150; n++) {
        await fs.writeFile(`${dir}/state.json.tmp`, version(n));
        await fs.rename(`${dir}/state.json.tmp`, `${dir}/state.json`);
      }
      writing = false;
    })();
    const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir);
    const platform: Record<string, number> = {};
    const store: Record<string, number> = {};
    const count = (into: Record<string, number>, what: string) => (into[what] = (into[what] ?? 0) + 1);
    const seen = new Set<number>();
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        // The platform, unwrapped: look the file up, then read it, as the store did before.
        const handle = await folder.getFileHandle('state.json');
        await handle.getFile().then((f) => f.arrayBuffer()).then(() => count(platform, 'ok'), (e: DOMException) => count(platform, e.name));
        const bytes = await fs.readFile(`${dir}/state.json`).catch((e: DOMException) => e.name);
        if (bytes === undefined || typeof bytes === 'string') count(store, String(bytes));
        else {
          count(store, 'ok');
          seen.add((JSON.parse(new TextDecoder().decode(bytes)) as { n: number }).n);
        }
      }
    });
    await Promise.all([writer, ...readers]);
    console.log(`[opfs] reads racing 150 replacements: platform ${JSON.stringify(platform)}, store ${JSON.stringify(store)}; ${seen.size} versions seen`);
    expect(Object.keys(store)).toEqual(['ok']);
    expect(store.ok).toBeGreaterThan(50);
    expect(seen.size).toBeGreaterThan(1);
  });
});
