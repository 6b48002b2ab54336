import { startCollector, type RunningCollector } from '@edgewise/collector';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { send } from '../collector-client.js';
import { HOUR, pastWindows, postFleetWindow, registerWeatherBaseline } from '../fleet-windows.js';

const APP = { app: 'dash', ingestKey: 'dash-in', readKey: 'dash-read', adminKey: 'dash-admin' };
let collector: RunningCollector;
const windows = pastWindows(6);

beforeAll(async () => {
  collector = await startCollector({
    port: 0,
    databaseUrl: undefined,
    dataDir: undefined,
    apps: [APP],
    k: 3,
    privacy: false, // synthetic fleets post exact reports; the released (noisy) path has its own tests
    alertRules: [{ id: 'drift', kind: 'drift', threshold: 0.1, windows: 2 }],
    alertIntervalMs: 200,
  });
  for (const v of ['1.0.0', '1.1.0']) await registerWeatherBaseline(collector.url, APP.adminKey, v);
  // Six closed hours: the first has too few devices for 1.0.0 (withheld); 1.1.0 drifts from its third window on.
  await postFleetWindow(collector.url, APP.ingestKey, { version: '1.0.0', windowStart: windows[0]!, devices: 2 });
  for (const [i, w] of windows.slice(1).entries()) {
    await postFleetWindow(collector.url, APP.ingestKey, { version: '1.0.0', windowStart: w, devices: 5, runs: 400 });
    await postFleetWindow(collector.url, APP.ingestKey, { version: '1.1.0', windowStart: w, devices: 5, runs: 400, shift: i >= 2 ? 3 : 0 });
  }
  // A device whose clock is 20 h ahead (inside the allowed skew): must not stretch the time axis.
  await postFleetWindow(collector.url, APP.ingestKey, { version: '1.0.0', windowStart: Math.floor((Date.now() + 20 * HOUR) / HOUR) * HOUR, devices: 5 });
  for (let i = 0; i < 100; i++) {
    if ((await send(collector.url, '/v1/alerts', { key: APP.readKey })).json.alerts.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);
afterAll(() => collector?.close());

describe('collector dashboard in Chromium', () => {
  it('draws drift over time per version, compares versions, drills into a feature and shows the alert banner', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(`${collector.url}/`);
      await page.fill('#key', APP.readKey);
      await page.click('#auth button');
      await page.waitForSelector('body[data-ready]', { state: 'attached' });
      expect(problems).toEqual([]); // no CSP violation, no script error
      expect(page.url()).not.toContain(APP.readKey);
      expect(await page.evaluate(() => [sessionStorage.getItem('edgewise-read-key'), localStorage.length])).toEqual([APP.readKey, 0]);

      const drift = async (version: string) => {
        const chart = page.locator(`section[data-version="${version}"] [data-chart="drift"]`);
        expect(await chart.locator('canvas').count()).toBeGreaterThan(0); // drawn by uPlot
        return JSON.parse((await chart.getAttribute('data-series'))!) as Array<{ feature: string; values: Array<number | null> }>;
      };
      const maxPerWindow = (s: Array<{ values: Array<number | null> }>) => s[0]!.values.map((_, i) => Math.max(...s.map((f) => f.values[i] ?? 0)));
      const drifting = maxPerWindow(await drift('1.1.0'));
      expect(drifting).toHaveLength(5);
      expect(drifting.slice(0, 2).every((v) => v < 0.1)).toBe(true);
      expect(drifting.slice(2).every((v) => v > 0.1)).toBe(true);
      const healthy = await drift('1.0.0');
      expect(healthy.map((s) => s.feature)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
      expect(healthy[0]!.values[0]).toBeNull(); // the withheld window is a gap, not a zero
      expect(maxPerWindow(healthy).slice(1).every((v) => v < 0.1)).toBe(true);
      expect(await page.locator('section[data-version="1.0.0"] [data-withheld]').textContent()).toMatch(/withheld: fewer than k = 3 devices/);
      expect(await page.locator('section[data-version="1.0.0"] [data-note]').textContent()).toMatch(/1 window\(s\) start in the future/);
      expect(await page.locator('section[data-version="1.0.0"] [data-chart="drift"]').getAttribute('data-points')).toBe('6');
      for (const name of ['counters', 'backends', 'latency', 'confidence']) expect(await page.locator(`section[data-version="1.1.0"] [data-chart="${name}"] canvas`).count(), name).toBeGreaterThan(0);

      // Version comparison, side by side.
      expect(await page.isVisible('#compare')).toBe(true);
      expect(await page.locator('[data-compare]').evaluateAll((cols) => cols.map((c) => c.getAttribute('data-compare')))).toEqual(['1.0.0', '1.1.0']);
      const latest = async (v: string) => Number(await page.locator(`[data-compare="${v}"] td[data-metric="latest max drift (JS)"]`).textContent());
      expect(await latest('1.1.0')).toBeGreaterThan(0.1);
      expect(await latest('1.0.0')).toBeLessThan(0.1);

      // The alert banner.
      expect(await page.isVisible('#alerts')).toBe(true);
      expect(await page.locator('#alerts [data-alert="drift"]').textContent()).toMatch(/weather 1\.1\.0: input drift/);
      expect(await page.locator('#alerts li').count()).toBe(1);

      await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });

      // Drill-down: baseline vs current histogram of one feature.
      await page.click('section[data-version="1.1.0"] button[data-feature="temp_max"]');
      await page.waitForSelector('#drill[open] #drill-chart canvas');
      expect(await page.textContent('#drill-title')).toMatch(/temp_max: baseline vs window/);
      await page.screenshot({ path: 'test-results/dashboard-drill.png' });
      expect(problems).toEqual([]);

      // A wrong key: the collector's reason, nothing drawn.
      await page.click('.close');
      await page.fill('#key', 'wrong');
      await page.click('#auth button');
      await page.waitForSelector('body[data-ready]', { state: 'attached' });
      expect(await page.textContent('#out')).toMatch(/unknown read key/);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
