import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEATHER_FEATURE_SPECS, weatherRows } from '../../models/scripts/weather-mlp.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

const dir = fileURLToPath(new URL('../../models/generated/weather-mlp/', import.meta.url));
let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [{ app: 'dash', ingestKey: 'in', readKey: 'out' }], k: 2, privacy: false });
  await fetch(`${collector.url}/v1/baselines/weather/1.0.0`, { method: 'PUT', body: await readFile(`${dir}baseline.json`), headers: { authorization: 'Bearer out', 'content-type': 'application/json' } });
  // Devices reporting month after month: windows an hour apart (the last six hours, inside the
  // collector's retention), drift rising into summer.
  const firstWindow = (Math.floor(Date.now() / 3_600_000) - 6) * 3_600_000;
  for (const [i, month] of ['2014-03', '2014-04', '2014-05', '2014-06', '2014-07', '2014-08'].entries()) {
    for (let device = 0; device < 2; device++) {
      const model = await createNodeRuntime().loadModel({ source: `${dir}model.onnx`, engine: 'onnx', monitor: { baseline: `${dir}baseline.json`, features: WEATHER_FEATURE_SPECS } });
      for (const row of weatherRows((d) => d.startsWith(month))) await model.run({ input: tensor('float32', row, [1, 4]) });
      const { body } = await model.aggregates();
      const report = { v: 1, id: crypto.randomUUID(), model: 'weather', modelVersion: '1.0.0', window: { start: 0, end: firstWindow + i * 3_600_000 }, ...body };
      const r = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body: JSON.stringify(report), headers: { authorization: 'Bearer in', 'content-type': 'application/json' } });
      expect(r.status).toBe(202);
    }
  }
}, 120_000);
afterAll(() => collector?.close());

describe('collector dashboard in Chromium', () => {
  it('draws drift per feature over time from the JSON API', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      await page.goto(`${collector.url}/?key=out`);
      await page.waitForSelector('body[data-ready]', { state: 'attached' });
      expect(await page.textContent('h2')).toMatch(/weather 1.0.0 \(12 reports\)/);
      const charts = await page.locator('svg path').count();
      expect(charts).toBe(4);
      const points = await page.locator('svg circle').count();
      expect(points).toBe(4 * 6);
      expect(await page.locator('td.drift').count()).toBeGreaterThan(0);
      const png = await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
      // Not blank: a page of text and charts compresses far worse than an empty one.
      expect(png.byteLength).toBeGreaterThan(20_000);
      await page.goto(`${collector.url}/?key=wrong`);
      await page.waitForSelector('body[data-ready]', { state: 'attached' });
      expect(await page.textContent('#out')).toMatch(/unknown read key/);
    } finally {
      await browser.close();
    }
  });
});
