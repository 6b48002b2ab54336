import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../models/scripts/mnist-data.js';
import { tinyMlp } from '../../models/scripts/tiny-mlp.js';
import { denseNetworkForward } from '@edgewise/model-tools/dense-network';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { REPO, packAll } from './pack.js';
import { serveStatic } from './static-server.js';

/**
 * Edgewise as someone outside this repository gets it: every package `npm pack`ed from its built
 * dist/, the tarballs installed into an empty folder in the system's temp directory (no workspace,
 * no TypeScript sources, no @edgewise/source condition), then used four ways: a Vite app, a plain
 * HTML page with the script-tag build, an ESM Node script, and the two command-line tools.
 */
const run = promisify(execFile);
let scratch: string;
let tarballs: string[];
let browser: Browser;
let collector: ChildProcess | undefined;
const COLLECTOR_PORT = 18000 + Math.floor(Math.random() * 2000);
const COLLECTOR = `http://127.0.0.1:${COLLECTOR_PORT}`;
const sample = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7 + 3) * 0.9);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'edgewise-consumer-'));
  tarballs = await packAll(await mkdtemp(join(tmpdir(), 'edgewise-tarballs-')));
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const vite = JSON.parse(await readFile(join(REPO, 'node_modules/vite/package.json'), 'utf8')).version;
  // Everything but the tarballs comes from the registry (the npm cache, after the repo's npm ci).
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, `vite@${vite}`], { cwd: scratch, maxBuffer: 1 << 24 });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  collector?.kill('SIGTERM');
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('installed from the packed tarballs', () => {
  it('has every package checked by publint and arethetypeswrong, with no findings', async () => {
    for (const tarball of tarballs) {
      const lint = await run('npx', ['publint', '--strict', tarball], { cwd: REPO });
      expect(lint.stdout, tarball).toMatch(/All good/);
      // ESM-only on purpose: "require" from CommonJS is not offered, everything else must resolve.
      await run('npx', ['attw', tarball, '--profile', 'esm-only', '--format', 'ascii'], { cwd: REPO });
    }
  }, 240_000);

  it('(c) an ESM Node script runs a model with @edgewise/node and plain node', async () => {
    const script = join(scratch, 'script.mjs');
    await writeFile(
      script,
      `import { createNodeRuntime } from '@edgewise/node';
import { tensor } from '@edgewise/core';
const model = await createNodeRuntime().loadModel({ source: process.argv[2], engine: 'onnx' });
const out = await model.run({ input: tensor('float32', ${JSON.stringify(Array.from(sample))}, [1, 16]) });
console.log(JSON.stringify({ backend: model.backend, probabilities: Array.from(out.probabilities.data), runs: (await model.health()).counters.runs }));
`,
    );
    const { stdout } = await run('node', [script, join(REPO, 'models/generated/tiny-mlp/model.onnx')], { cwd: scratch });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ backend: 'wasm', runs: 1 });
    const want = denseNetworkForward(tinyMlp(), sample);
    result.probabilities.forEach((p: number, i: number) => expect(Math.abs(p - want[i]!)).toBeLessThan(1e-4));
  });

  it('(d) npx edgewise baseline and npx edgewise-collector run from the installed bins', async () => {
    const out = join(scratch, 'baseline.json');
    await run('npx', ['edgewise', 'baseline', join(REPO, 'node_modules/vega-datasets/data/seattle-weather.csv'), '--out', out], { cwd: scratch });
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ format: 'edgewise-baseline', rows: 1461 });
    collector = spawn('npx', ['edgewise-collector'], {
      cwd: scratch,
      env: { ...process.env, PORT: String(COLLECTOR_PORT), COLLECTOR_DATA_DIR: join(scratch, 'collector-data'), DATABASE_URL: '', EDGEWISE_APPS: 'consumer:consumer-ingest:consumer-read', COLLECTOR_PRIVACY: 'off' },
      stdio: 'pipe',
    });
    // What the collector printed, so a failure to start says why.
    let output = '';
    collector.stdout?.on('data', (d: Buffer) => (output += d));
    collector.stderr?.on('data', (d: Buffer) => (output += d));
    let health: unknown;
    // Up to 60 s: PGlite starts and migrates first, which takes long on a loaded two-core machine.
    for (let i = 0; i < 300 && !health; i++) {
      health = await fetch(`${COLLECTOR}/healthz`).then((r) => r.json(), () => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 200));
    }
    expect(health, output).toMatchObject({ ok: true, database: 'pglite' });
  }, 120_000);

  it('(a) a Vite app loads a model from a manifest in a worker, runs real digits and reports to the collector', async () => {
    const app = join(scratch, 'app');
    await mkdir(join(app, 'public/models'), { recursive: true });
    await cp(join(REPO, 'models/generated/mnist'), join(app, 'public/models/mnist'), { recursive: true });
    const { test } = loadMnist();
    const picks = Array.from({ length: 20 }, (_, k) => k * Math.floor(test.count / 20));
    const digits = picks.map((i) => ({ label: test.labels[i], pixels: Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 1000) / 1000) }));
    await writeFile(join(app, 'public/digits.json'), JSON.stringify(digits));
    await writeFile(join(app, 'vite.config.js'), `export default { root: ${JSON.stringify(app)}, worker: { format: 'es' }, build: { outDir: 'dist', target: 'es2022' } };\n`);
    await writeFile(join(app, 'index.html'), '<!doctype html><title>consumer</title><script type="module" src="./main.js"></script>\n');
    await writeFile(
      join(app, 'main.js'),
      `import { createWebRuntime } from '@edgewise/web';
import { tensor } from '@edgewise/core';
import { createUplink, MemoryOutbox } from '@edgewise/uplink';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
try {
  const runtime = createWebRuntime({ ortWasmPaths: { wasm: ortWasm, mjs: ortMjs } });
  let progress = 0;
  const model = await runtime.loadModel({ manifest: '/models/mnist/manifest.json', backends: ['wasm'], worker: true, onProgress: (p) => (progress = p.loaded / p.total) });
  const digits = await (await fetch('/digits.json')).json();
  const predictions = [];
  for (const d of digits) {
    const out = await model.run({ input: tensor('float32', d.pixels, [1, 784]) });
    const p = Array.from(out.probabilities.data);
    predictions.push(p.indexOf(Math.max(...p)));
  }
  const uplink = createUplink({ endpoint: ${JSON.stringify(`${COLLECTOR}/v1/reports`)}, ingestKey: 'consumer-ingest', source: model, model: 'mnist', modelVersion: '1.1.0', outbox: new MemoryOutbox(), privacy: false });
  await uplink.collect();
  const sent = await uplink.flush();
  window.result = { predictions, labels: digits.map((d) => d.label), progress, backend: model.backend, sent };
} catch (error) {
  window.result = { error: String(error && error.stack || error) };
}
`,
    );
    await run('npx', ['vite', 'build', '--config', join(app, 'vite.config.js'), '--logLevel', 'warn'], { cwd: scratch, maxBuffer: 1 << 24 });
    const site = await serveStatic(join(app, 'dist'));
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${site.url}/`);
    const result = await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 120_000 }).then((h) => h.jsonValue());
    site.server.close();
    expect(result).not.toHaveProperty('error');
    expect(result).toMatchObject({ progress: 1, backend: 'wasm', sent: { sent: 1, dropped: 0, pending: 0 } });
    const { predictions, labels } = result as { predictions: number[]; labels: number[] };
    expect(predictions.filter((p, i) => p === labels[i]).length).toBeGreaterThanOrEqual(17); // the int8 model is ~94% accurate
    const models = await (await fetch(`${COLLECTOR}/v1/models`, { headers: { authorization: 'Bearer consumer-read' } })).json();
    expect(JSON.stringify(models)).toMatch(/"mnist"[\s\S]*"1\.1\.0"/);
  }, 240_000);

  it('(b) a plain HTML page imports the script-tag build with no bundler and runs a model, on this thread and in the worker', async () => {
    const site = join(scratch, 'site');
    await run('npx', ['edgewise-web-assets', join(site, 'edgewise')], { cwd: scratch });
    await cp(join(REPO, 'models/generated/tiny-mlp/model.onnx'), join(site, 'model.onnx'));
    await writeFile(
      join(site, 'index.html'),
      `<!doctype html>
<title>Edgewise from a script tag</title>
<script type="module">
  import { createWebRuntime, tensor } from './edgewise/edgewise.js';
  try {
    const runtime = createWebRuntime();
    const x = ${JSON.stringify(Array.from(sample))};
    const result = {};
    for (const worker of [false, true]) {
      const model = await runtime.loadModel({ source: './model.onnx', engine: 'onnx', backends: ['wasm'], worker });
      const out = await model.run({ input: tensor('float32', x, [1, 16]) });
      result[worker ? 'worker' : 'main'] = Array.from(out.probabilities.data);
      await model.dispose();
    }
    window.result = result;
  } catch (error) {
    window.result = { error: String(error && error.stack || error) };
  }
</script>
`,
    );
    const server = await serveStatic(site);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/`);
    const result = await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 120_000 }).then((h) => h.jsonValue());
    server.server.close();
    expect(result).not.toHaveProperty('error');
    const want = denseNetworkForward(tinyMlp(), sample);
    for (const where of ['main', 'worker'] as const) {
      (result as Record<string, number[]>)[where]!.forEach((p, i) => expect(Math.abs(p - want[i]!)).toBeLessThan(1e-4));
    }
  }, 180_000);
});
