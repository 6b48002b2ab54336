import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/matrix/chart.js';
import type { CellResult, CellSpec } from '../../bench/matrix/cell.js';
import { overheads } from '../../bench/matrix/summary.js';
import { serveRepo } from '../../bench/serve.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

let served: Awaited<ReturnType<typeof serveRepo>>;
let browser: Browser;
beforeAll(async () => {
  served = await serveRepo();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.server.close();
});

/** Keeps the benchmark page working: a tiny matrix, checked for shape and sanity, not for speed. */
describe('benchmark page', () => {
  it('measures raw and Edgewise cells (main thread and worker, paired) and reports a failing backend with its reason', async () => {
    const base = { model: 'mnist-int8', backend: 'wasm', threads: 1, budgetMs: 50, maxRuns: 20, warmupRuns: 10 } as const;
    const cells: CellSpec[] = [
      { ...base, context: 'main', impl: 'raw' },
      { ...base, context: 'main', impl: 'edgewise', pairWith: 'raw' },
      { ...base, context: 'worker', impl: 'edgewise-features', pairWith: 'edgewise-unmonitored' },
      // ORT's WebGL backend has no int8 kernels (DynamicQuantizeLinear): this cell must fail, with the reason kept.
      { ...base, backend: 'webgl', context: 'main', impl: 'raw' },
    ];
    const page = await browser.newPage();
    await page.goto(`${served.url}/bench/index.html?cells=${encodeURIComponent(JSON.stringify(cells))}`);
    const { env, results } = (await (await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, null, { timeout: 120_000 })).jsonValue()) as {
      env: { crossOriginIsolated: boolean; cores: number };
      results: CellResult[];
    };
    expect(env.crossOriginIsolated).toBe(true);
    const [raw, paired, sketch, webgl] = results;
    for (const r of [raw!, paired!, sketch!]) {
      expect(r.ok, r.error).toBe(true);
      expect(r.ranOn).toBe('wasm');
      expect(r.runs).toBeGreaterThanOrEqual(5);
      expect(r.warmupRuns).toBe(10);
      expect(r.coldLoadMs).toBeGreaterThan(0);
      expect(r.medianMs).toBeGreaterThan(0);
      expect(r.p95Ms).toBeGreaterThanOrEqual(r.medianMs!);
    }
    expect(paired!.pair).toMatchObject({ impl: 'raw' });
    expect(sketch!.pair).toMatchObject({ impl: 'edgewise-unmonitored' });
    expect(webgl).toMatchObject({ ok: false });
    expect(webgl!.error).toMatch(/DynamicQuantizeLinear|MatMulInteger/);
    expect(await page.locator('#results tr').count()).toBe(5); // header + 4 cells

    const [row] = overheads(results, 'edgewise');
    expect(row!.ratio).toBeCloseTo(paired!.medianMs! / paired!.pair!.medianMs, 10);
    expect(row!.coldLoadRatio).toBeCloseTo(paired!.coldLoadMs! / raw!.coldLoadMs!, 10);
    const svg = renderChart(results, 'test');
    expect(svg.match(/<rect [^>]*fill="#/g)!.length).toBeGreaterThanOrEqual(3 + 2); // 3 bars + background + legend
    expect(svg).toContain('raw: ');

    // Malformed cells are answered at once, with what is wrong.
    await page.goto(`${served.url}/bench/index.html?cells=${encodeURIComponent('[{"model": 1}')}`);
    const bad = (await (await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, null, { timeout: 30_000 })).jsonValue()) as { error: string };
    expect(bad.error).toMatch(/\?cells= is not JSON/);
    expect(await page.textContent('#status')).toBe(bad.error);
    await page.close();
  }, 180_000);
});
