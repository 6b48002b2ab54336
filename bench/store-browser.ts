/**
 * Model store benchmark in headless Chromium with an on-disk profile (IndexedDB and OPFS on disk, as
 * for a real user), models served over loopback by a plain Node HTTP server. Per store × model it
 * measures, in one run, side by side:
 *   cold  = cache.load (download, SHA-256, store) + ORT session   ÷  plain fetch of the files + session
 *   warm  = cache.load from the store (verified) + session        ÷  session from bytes in memory
 *   peak memory of install and of a warm read (no session) ÷ model size, and with the session for context.
 * Run: npm run bench:store [-- --models mnist,64mb,256mb --stores opfs,indexeddb --rounds 3]
 * (writes bench/results/store-browser.json; big models are generated into models/generated/bench-store/)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.js';
import { startFaultServer } from '../test/fault-server.js';
import { processMemory } from './process-memory.js';
import { serveRepo } from './serve.js';
import { benchModels } from './store-models.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  const [flag, value] = [process.argv[i]!, process.argv[i + 1]];
  if (!['--models', '--stores', '--contexts', '--rounds'].includes(flag) || value === undefined || value.startsWith('--')) {
    throw new RangeError(`bench:store: unknown or valueless flag ${flag}; use --models mnist,64mb,256mb --stores opfs,indexeddb --contexts page,worker --rounds N.`);
  }
  args.set(flag, value);
}
const models = await benchModels((args.get('--models') ?? 'mnist,64mb,256mb').split(','));
const stores = (args.get('--stores') ?? 'opfs,indexeddb').split(',');
const contexts = (args.get('--contexts') ?? 'page,worker').split(',');
const rounds = Number(args.get('--rounds') ?? 2);
if (!(rounds >= 1)) throw new RangeError(`bench:store: --rounds must be ≥ 1; received ${args.get('--rounds')}.`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const generated = fileURLToPath(new URL('../models/generated/', import.meta.url));
const files = await startFaultServer(generated);
const { server, url } = await serveRepo();
const memory = processMemory();
type Row = { store: string; context: string; model: string; bytes: number; coldMs: number; fetchMs: number; warmMs: number; warmUnverifiedMs: number; memoryMs: number; installPeak: number; readPeak: number; coldPeak: number; warmPeak: number; fetchPeak: number; sessionPeak: number };
const rows: Row[] = [];

async function phase(page: Page, name: string, ...a: unknown[]): Promise<{ ms: number; peak: number }> {
  await page.evaluate(() => (window as unknown as { bench: { gc(): Promise<void> } }).bench.gc());
  memory.reset();
  const ms = (await page.evaluate(([n, x]) => (window as unknown as { bench: Record<string, (...y: unknown[]) => Promise<number>> }).bench[n as string]!(...(x as unknown[])), [name, a] as const)) as number;
  return { ms, peak: memory.peak() };
}

try {
  for (const store of stores) for (const where of contexts) {
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    // On disk (not tmpfs, not incognito): IndexedDB and OPFS write files as for a real user.
    const profile = await mkdtemp(fileURLToPath(new URL('./results/profile-', import.meta.url)));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'] });
    try {
      const page = await context.newPage();
      await page.goto(`${url}/bench/store.html?store=${store}&context=${where}`);
      await page.waitForSelector('body[data-ready]', { state: 'attached' });
      const kind = await page.evaluate(() => (window as unknown as { bench: { kind(): Promise<string> } }).bench.kind());
      if (kind !== store) throw new Error(`asked for ${store}, the page got ${kind}`);
      // ORT loads and compiles its WASM on the first session: do that before anything is timed.
      await phase(page, 'plainFetch', `${files.url}/mnist/manifest.json`, '1.0.0');
      for (const model of models) {
        const manifest = `${files.url}/${model.manifest}`;
        const m = JSON.parse(readFileSync(generated + model.manifest, 'utf8'));
        const bytes = (m.versions[model.version].files as Array<{ size: number }>).reduce((s, f) => s + f.size, 0);
        const n = model.name === '256mb' ? 1 : rounds;
        const r: Record<string, number[]> = {};
        const add = (k: string, v: number) => (r[k] ??= []).push(v);
        for (let round = 0; round < n; round++) {
          await phase(page, 'clear');
          const install = await phase(page, 'cold', manifest, model.version, false);
          const read = await phase(page, 'warm', manifest, model.version, false);
          await phase(page, 'settled');
          await phase(page, 'clear');
          const cold = await phase(page, 'cold', manifest, model.version, true);
          const warm = await phase(page, 'warm', manifest, model.version, true);
          await phase(page, 'settled');
          const unverified = await phase(page, 'warmUnverified', manifest, model.version);
          await phase(page, 'settled');
          const fromMemory = await phase(page, 'fromMemory');
          await phase(page, 'drop');
          const plain = await phase(page, 'plainFetch', manifest, model.version);
          add('coldMs', cold.ms), add('warmMs', warm.ms), add('warmUnverifiedMs', unverified.ms), add('memoryMs', fromMemory.ms), add('fetchMs', plain.ms);
          add('installPeak', install.peak), add('readPeak', read.peak), add('coldPeak', cold.peak), add('warmPeak', warm.peak), add('fetchPeak', plain.peak), add('sessionPeak', fromMemory.peak);
        }
        await phase(page, 'clear');
        const row: Row = { store, context: where, model: model.name, bytes, coldMs: median(r.coldMs!), fetchMs: median(r.fetchMs!), warmMs: median(r.warmMs!), warmUnverifiedMs: median(r.warmUnverifiedMs!), memoryMs: median(r.memoryMs!), installPeak: Math.max(...r.installPeak!), readPeak: Math.max(...r.readPeak!), coldPeak: Math.max(...r.coldPeak!), warmPeak: Math.max(...r.warmPeak!), fetchPeak: Math.max(...r.fetchPeak!), sessionPeak: Math.max(...r.sessionPeak!) };
        rows.push(row);
        const x = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
        const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
        console.log(
          `${store.padEnd(9)} ${where.padEnd(6)} ${model.name.padEnd(6)} ${(bytes / 1e6).toFixed(1).padStart(6)} MB | cold ${row.coldMs.toFixed(0)} ms ÷ fetch+session ${row.fetchMs.toFixed(0)} ms = ${x(row.coldMs, row.fetchMs)} | warm ${row.warmMs.toFixed(0)} ms ÷ session from memory ${row.memoryMs.toFixed(0)} ms = ${x(row.warmMs, row.memoryMs)} (unverified ${row.warmUnverifiedMs.toFixed(0)} ms ${x(row.warmUnverifiedMs, row.memoryMs)}) | peak ÷ size: install ${x(row.installPeak, bytes)}, warm read ${x(row.readPeak, bytes)} (with session: cold ${mb(row.coldPeak)} ${x(row.coldPeak, bytes)}, warm ${x(row.warmPeak, bytes)}; baselines: fetch+session ${x(row.fetchPeak, bytes)}, session alone ${x(row.sessionPeak, bytes)})`,
        );
      }
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
} finally {
  await server.close();
  await files.close();
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('./results/store-browser.json', import.meta.url)), JSON.stringify({ rounds, rows }, null, 2));
