/**
 * Model delivery in real Chromium (persistent profile, so IndexedDB and OPFS are on disk), against a
 * real fault-injecting HTTP server: resumed downloads, one install shared by two tabs and a worker, a
 * rollback no concurrent load undoes, captive portals, tampering and offline loads — on OPFS and on
 * IndexedDB.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRepo } from '../../bench/serve.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { startFaultServer } from '../fault-server.js';
import type { LoadSummary } from './pages/delivery-shared.js';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));
let served: Awaited<ReturnType<typeof serveRepo>>;
let faults: Awaited<ReturnType<typeof startFaultServer>>;
let context: BrowserContext;
const manifest = () => `${faults.url}/mnist/manifest.json`;
const sha = async (file: string) => createHash('sha256').update(await readFile(join(generated, 'mnist', file))).digest('hex');

type Api = Record<string, (...args: unknown[]) => unknown>;
async function open(store: string, name: string) {
  const page = await context.newPage();
  await page.goto(`${served.url}/test/e2e/pages/delivery.html?store=${store}&name=${name}`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  const call = <T>(method: string, ...args: unknown[]) =>
    page.evaluate(([m, a]) => ((window as unknown as { edgewise: Api }).edgewise[m as string]!(...(a as unknown[])) as Promise<unknown>), [method, args] as const) as Promise<T>;
  return { page, call };
}
const reset = () => {
  faults.setFault({ mode: 'ok' });
  faults.setHonourRanges(true);
  faults.requests.clear();
  faults.ranges.length = 0;
};
let n = 0;

beforeAll(async () => {
  served = await serveRepo();
  faults = await startFaultServer(generated);
  context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'edgewise-delivery-')), { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 120_000);
afterAll(async () => {
  await context?.close();
  await faults?.close();
  await served?.server.close();
});

for (const store of ['opfs', 'indexeddb'] as const) {
  describe(`model delivery in Chromium on ${store}`, () => {
    it('a download cut at 60% resumes, requests only the rest, and the result verifies', async () => {
      reset();
      const { page, call } = await open(store, `resume-${store}-${n++}`);
      faults.setFault({ mode: 'cut', at: 0.6, match: /model\.onnx$/ });
      const got = await call<LoadSummary>('load', manifest(), '1.0.0');
      expect(got.kind).toBe(store);
      expect(got.sha256).toBe(await sha('model.onnx'));
      expect(faults.requests.get('/mnist/model.onnx')).toBe(2);
      expect(faults.ranges).toHaveLength(1);
      expect(faults.ranges[0]!.status).toBe(206);
      const from = Number(/^bytes=(\d+)-$/.exec(faults.ranges[0]!.range)![1]);
      // From the last whole chunk stored before the cut (how much of the 60% the page had read and
      // stored when the connection dropped depends on the machine's speed).
      expect(from % (256 * 1024)).toBe(0);
      expect(from).toBeGreaterThan(0);
      expect(from).toBeLessThanOrEqual(got.bytes * 0.6);
      expect(got.progress.at(-1)).toEqual({ loaded: got.bytes, total: got.bytes });
      await page.close();
    });

    it('two tabs and a worker loading the same new version make exactly one download', async () => {
      reset();
      const name = `shared-${store}-${n++}`;
      const [a, b] = [await open(store, name), await open(store, name)];
      faults.setFault({ mode: 'slow', bytesPerTick: 64 * 1024, match: /\.onnx$/ });
      const results = await Promise.all([a.call<LoadSummary>('load', manifest()), b.call<LoadSummary>('load', manifest()), a.call<LoadSummary>('loadInWorker', manifest())]);
      expect(faults.requests.get('/mnist/model-int8.onnx')).toBe(1);
      const want = await sha('model-int8.onnx');
      expect(results.map((r) => r.sha256)).toEqual([want, want, want]);
      expect(results.filter((r) => !r.fromCache)).toHaveLength(1);
      expect(results.map((r) => r.kind)).toEqual([store, store, store]);
      await a.page.close();
      await b.page.close();
    });

    it('a rollback in another tab is never undone by a load that was under way', async () => {
      reset();
      const name = `race-${store}-${n++}`;
      const a = await open(store, name);
      await a.call('load', manifest(), '1.0.0');
      await a.call('load', manifest(), undefined, 'before-load');
      const b = await open(store, name);
      await a.call('startGatedLoad', manifest()); // chose the active 1.1.0; now waits in its reads
      expect(await b.call('rollback', manifest())).toBe('1.0.0');
      const finished = await a.call<LoadSummary>('finishGatedLoad');
      expect(finished.version).toBe('1.0.0');
      await a.call('settled');
      expect(await b.call('state', manifest())).toMatchObject({ active: '1.0.0', rolledBackFrom: '1.1.0' });
      expect(await a.call('events')).toContainEqual({ type: 'activated-elsewhere', model: manifest(), version: '1.0.0' });
      await a.page.close();
      await b.page.close();
    });
  });
}

describe('model delivery in Chromium: the real web (auto store)', () => {
  it('a captive-portal manifest serves the cached version, and the event names the reason', async () => {
    reset();
    const { page, call } = await open('auto', `portal-${n++}`);
    await call('load', manifest());
    faults.setFault({ mode: 'html', match: /manifest\.json$/ });
    const got = await call<LoadSummary>('load', manifest(), undefined, 'before-load');
    expect(got).toMatchObject({ version: '1.1.0', fromCache: true });
    const events = await call<Array<{ type: string; reason?: string; detail?: string }>>('events');
    expect(events.at(-1)).toMatchObject({ type: 'offline', reason: 'html', detail: expect.stringContaining(`manifest ${manifest()} answered HTML`) });
    await page.close();
  });

  it('a tampered chunk is detected, the version deleted and refetched', async () => {
    reset();
    const { page, call } = await open('auto', `tamper-${n++}`);
    await call('load', manifest());
    const key = await call<string>('tamper', manifest(), '1.1.0');
    const got = await call<LoadSummary>('load', manifest());
    expect(got).toMatchObject({ version: '1.1.0', fromCache: false, sha256: await sha('model-int8.onnx') });
    expect(faults.requests.get('/mnist/model-int8.onnx')).toBe(2);
    const events = await call<Array<{ type: string }>>('events');
    expect(events.map((e) => e.type)).toEqual(['installed', 'corrupted', 'installed']);
    expect(await call<string[]>('chunkKeys')).not.toContain(key);
    await page.close();
  });

  it('offline with two valid cached versions loads the newest', async () => {
    reset();
    const { page, call } = await open('auto', `offline-${n++}`);
    await call('load', manifest(), '1.0.0');
    await call('load', manifest(), '1.1.0');
    expect(await call('list')).toEqual(['1.0.0', '1.1.0']);
    faults.setFault({ mode: 'offline' });
    const got = await call<LoadSummary>('load', manifest(), undefined, 'before-load');
    expect(got).toMatchObject({ version: '1.1.0', fromCache: true, sha256: await sha('model-int8.onnx') });
    await page.close();
  });
});
