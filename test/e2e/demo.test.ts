import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../demo/servers.js';
import { loadMnist, MNIST_PIXELS } from '../../models/scripts/mnist-data.js';
import { SPEECH_CLIP_SEGMENTS } from '../../models/scripts/speech-clip.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

let demo: Awaited<ReturnType<typeof startDemo>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // In-memory PGlite: the test must not see reports from earlier runs (or CI's PostgreSQL). A
  // non-default port checks that the page is told where the collector is.
  demo = await startDemo({ collectorPort: 8791, vitePort: 5199, collector: { dataDir: undefined, databaseUrl: undefined } });
  // The fake microphone plays the bundled speech clip, so the microphone path has a known answer too.
  const clip = fileURLToPath(new URL('../../models/generated/speech/clip.wav', import.meta.url));
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${clip}`],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 120_000 });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** Draws a stroke through the given points (in 0..280 canvas units). */
async function stroke(points: Array<[number, number]>) {
  const box = (await page.locator('#pad').boundingBox())!;
  await page.mouse.move(box.x + points[0]![0], box.y + points[0]![1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 4 });
  await page.mouse.up();
}
const predictions = async () => Number(await page.evaluate(() => document.body.dataset.predictions ?? 0));

describe('demo in Chromium', () => {
  it('downloads the model with progress, predicts drawn digits, and shows drift', async () => {
    expect(await page.textContent('#load')).toMatch(/Downloaded, verified and cached/);
    // select: 'fastest' measured both; the text names the winner and both times.
    expect(await page.textContent('#backend')).toMatch(/^(webgpu|wasm) \(measured fastest: webgpu [\d.]+ ms, wasm [\d.]+ ms per run\)/);
    await stroke([[140, 50], [140, 230]]); // a "1"
    await page.waitForFunction(() => document.body.dataset.predictions === '1');
    // A vertical bar is a 1 for this model; the page must show that digit, not merely a digit.
    expect(await page.textContent('#digit')).toBe('1');
    expect(await page.textContent('#latency')).toMatch(/ms/);
    // Off-centre, thick scribbles: unlike MNIST, so the drift panel must flag them.
    for (let i = 0; i < 6; i++) {
      await page.click('#clear');
      await stroke([[20, 20], [120, 20], [20, 120], [120, 120]]);
      await page.waitForFunction((n) => Number(document.body.dataset.predictions) === n, 2 + i);
    }
    expect(await page.locator('td.drifted').count()).toBeGreaterThan(0);
    expect(await page.textContent('#drift-note')).toMatch(/drifted/);
    const png = await page.screenshot({ path: 'test-results/demo.png' });
    expect(png.byteLength).toBeGreaterThan(20_000);
    expect(await predictions()).toBe(7);
  }, 180_000);

  it('names the right digit for known MNIST test images put on the pad', async () => {
    // The first test-split image of each class (never trained on), painted as 10×10 blocks, which
    // the page's 28×28 averaging reads back exactly; a press without a move asks for a prediction.
    const { test } = loadMnist();
    const shown: Record<number, string | null> = {};
    for (let digit = 0; digit < 10; digit++) {
      const index = test.labels.indexOf(digit);
      const pixels = Array.from(test.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS));
      await page.evaluate((image) => {
        const canvas = document.getElementById('pad') as HTMLCanvasElement;
        const ctx = canvas.getContext('2d')!;
        for (let i = 0; i < image.length; i++) {
          const v = Math.round(image[i]! * 255);
          ctx.fillStyle = `rgb(${v},${v},${v})`;
          ctx.fillRect((i % 28) * 10, Math.floor(i / 28) * 10, 10, 10);
        }
      }, pixels);
      const before = await predictions();
      const box = (await page.locator('#pad').boundingBox())!;
      await page.mouse.move(box.x + 5, box.y + 5);
      await page.mouse.down();
      await page.mouse.up();
      await page.waitForFunction((n) => Number(document.body.dataset.predictions) === n, before + 1);
      shown[digit] = await page.textContent('#digit');
    }
    expect(shown).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, d) => [d, String(d)])));
  }, 120_000);

  it('sends aggregates to the collector, whose API then lists the model', async () => {
    await page.click('#send');
    await page.waitForFunction(() => /sent [1-9]/.test(document.getElementById('reports')!.textContent ?? ''));
    const models = await (await fetch(`${demo.collector.url}/v1/models`, { headers: { authorization: 'Bearer demo-read-key' } })).json();
    expect(models.models).toEqual([{ model: 'mnist', version: '1.1.0', reports: 1 }]);
  }, 60_000);

  it('voice tab: silero VAD finds the bundled clip\'s three phrases', async () => {
    await page.click('#tab-voice');
    await page.waitForSelector('body[data-vad-ready]', { state: 'attached', timeout: 60_000 });
    expect(await page.textContent('#vad-status')).toMatch(/ready on wasm/);
    await page.click('#vad-clip');
    const result = JSON.parse(await (await page.waitForFunction(() => document.body.dataset.vadClip, null, { timeout: 60_000 })).jsonValue() as string);
    expect(result.segments).toHaveLength(SPEECH_CLIP_SEGMENTS.length);
    expect(result.agreement).toBeGreaterThan(0.8);
    expect(await page.textContent('#vad-agreement')).toMatch(/\d+% overlap/);
    const png = await page.screenshot({ path: 'test-results/demo-vad.png' });
    expect(png.byteLength).toBeGreaterThan(20_000);
  }, 90_000);

  it('voice tab: the microphone path (Chromium\'s fake device playing the clip) detects speech live', async () => {
    await page.click('#vad-mic');
    // The clip's first phrase starts 1 s in; wait for a closed segment (the device loops the file).
    const state = JSON.parse(
      await (await page.waitForFunction(() => document.body.dataset.vadMic && JSON.parse(document.body.dataset.vadMic).segments.length > 0 && document.body.dataset.vadMic, null, { timeout: 30_000 })).jsonValue() as string,
    );
    expect(state.frames).toBeGreaterThan(30);
    const first = state.segments[0];
    expect(first.end - first.start).toBeGreaterThan(0.8); // a phrase, not a blip
    await page.click('#vad-mic');
    await page.click('#vad-send');
    await page.waitForFunction(() => /sent [1-9]/.test(document.getElementById('vad-reports')!.textContent ?? ''));
    const models = await (await fetch(`${demo.collector.url}/v1/models`, { headers: { authorization: 'Bearer demo-read-key' } })).json();
    expect(models.models.map((m: { model: string }) => m.model).sort()).toEqual(['mnist', 'silero-vad']);
  }, 90_000);
});
