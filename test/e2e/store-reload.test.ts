import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRepo } from '../../bench/serve.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

type Api = {
  load(manifest: string, worker: boolean, version?: string): Promise<{ progress: Array<{ loaded: number; total: number }>; output: number[] }>;
  list(): Promise<string[]>;
  rollback(manifest: string): Promise<string>;
  settled(): Promise<void>;
};
const MANIFEST = '/models/generated/mnist/manifest.json';

let served: Awaited<ReturnType<typeof serveRepo>>;
let context: BrowserContext;
let page: Page;
/** How the network misbehaves for model files (Playwright routing in the real browser network stack). */
let fault: 'ok' | 'offline' | 'corrupt' = 'ok';

const open = async () => {
  page = await context.newPage();
  await page.goto(`${served.url}/test/e2e/pages/store.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
};
const call = <K extends keyof Api>(name: K, ...args: Parameters<Api[K]>) =>
  page.evaluate(([n, a]) => (window as unknown as { edgewise: Record<string, (...x: unknown[]) => unknown> }).edgewise[n as string]!(...(a as unknown[])), [
    name,
    args,
  ] as const) as ReturnType<Api[K]>;

beforeAll(async () => {
  served = await serveRepo();
  // A persistent profile: IndexedDB survives page reloads and browser restarts, as for a real user.
  context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'edgewise-profile-')), { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const mnist = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
  await context.route(/\/models\/generated\/mnist\/(manifest\.json|model.*\.onnx)$/, async (route) => {
    if (fault === 'offline') return route.abort('internetdisconnected');
    if (fault === 'corrupt' && route.request().url().endsWith('.onnx')) {
      const body = await readFile(join(mnist, route.request().url().split('/').pop()!));
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
      return route.fulfill({ body, headers: { 'cross-origin-resource-policy': 'same-origin' } });
    }
    return route.continue();
  });
  await open();
}, 120_000);
afterAll(async () => {
  await context?.close();
  await served?.server.close();
});

describe('model store in real Chromium (OPFS, else IndexedDB; persistent profile)', () => {
  it('downloads in the worker with progress, then after a reload and offline serves from the store', async () => {
    const first = await call('load', MANIFEST, true);
    expect(first.progress.length).toBeGreaterThan(0);
    expect(first.progress.at(-1)!.loaded).toBe(first.progress.at(-1)!.total);
    expect(await call('list')).toEqual(['1.1.0']);

    await page.reload();
    await page.waitForSelector('body[data-ready]', { state: 'attached' });
    fault = 'offline';
    const offline = await call('load', MANIFEST, true);
    expect(offline.progress).toEqual([]);
    expect(offline.output).toEqual(first.output);
    fault = 'ok';
  }, 120_000);

  it('refuses wrong bytes and keeps serving what was installed', async () => {
    fault = 'corrupt';
    await expect(call('load', MANIFEST, false, '1.0.0')).rejects.toThrow(/SHA-256 .* does not match/);
    expect(await call('list')).toEqual(['1.1.0']);
    fault = 'ok';
  }, 120_000);

  it('rolls back to the previous version instantly, across a browser restart', async () => {
    await call('load', MANIFEST, false, '1.0.0');
    // 'latest' serves the active 1.0.0 at once and installs 1.1.0 in the background for the next load.
    await call('load', MANIFEST, false);
    await call('settled');
    expect(await call('list')).toEqual(['1.1.0', '1.0.0']);
    expect(await call('rollback', `${served.url}${MANIFEST}`)).toBe('1.0.0');
    await page.close();
    await open();
    fault = 'offline';
    const after = await call('load', MANIFEST, false);
    expect(after.progress).toEqual([]);
    fault = 'ok';
  }, 120_000);
});

describe('model store in Chromium against a fault-injecting HTTP server', () => {
  it('shows progress through a slow download, fails clearly on 503, and installs nothing broken', async () => {
    const { startFaultServer } = await import('../fault-server.js');
    const faults = await startFaultServer(fileURLToPath(new URL('../../models/generated/', import.meta.url)));
    try {
      const manifest = `${faults.url}/mnist/manifest.json`;
      faults.setFault({ mode: 'fail', match: /\.onnx$/ });
      await expect(call('load', manifest, true, '1.0.0')).rejects.toThrow(/HTTP 503/);
      faults.setFault({ mode: 'slow', bytesPerTick: 128 * 1024, match: /\.onnx$/ });
      const slow = await call('load', manifest, true, '1.0.0');
      expect(slow.progress.length).toBeGreaterThan(10);
      expect(slow.progress.at(-1)).toMatchObject({ loaded: 2679701, total: 2679701 });
      faults.setFault({ mode: 'ok' });
    } finally {
      await faults.close();
    }
  }, 120_000);
});
