/**
 * `npm run size`: what the SDK itself adds to an app, min+gzip, with onnxruntime-web and TF.js left
 * out (they are the engines, not Edgewise). A page that imports createWebRuntime, bundled by rolldown
 * from the built dist/ as a consumer's bundler would: the code loaded up front, the monitor chunk
 * fetched only when a model is monitored, and the worker's code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type OutputChunk } from 'rolldown';

const CACHE = join(process.cwd(), 'node_modules/.cache/edgewise-size');
const ENGINES = /^(onnxruntime-web|onnxruntime-common|@tensorflow\/)/;

async function measure(entry: string, label: string): Promise<{ label: string; upFront: number; lazy: Map<string, number> }> {
  // Inside the repo, so '@edgewise/*' resolve through node_modules as in an app (to dist/, not sources).
  await mkdir(CACHE, { recursive: true });
  const dir = await mkdtemp(join(CACHE, 'size-'));
  const file = join(dir, 'entry.js');
  await writeFile(file, entry);
  const result = await build({
    input: file,
    platform: 'browser',
    external: (id) => ENGINES.test(id),
    resolve: { conditionNames: ['browser', 'import', 'module', 'default'] },
    cwd: process.cwd(),
    output: { dir: join(dir, 'out'), format: 'esm', minify: true },
    logLevel: 'warn',
    onwarn: (w) => {
      throw new Error(`bundle-size: ${w.message}`);
    },
  });
  const chunks = result.output.filter((o): o is OutputChunk => o.type === 'chunk');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const gz = (c: OutputChunk) => gzipSync(c.code, { level: 9 }).length;
  // Up front: the entry and everything it imports statically.
  const upFront = new Set<string>();
  const visit = (name: string) => {
    if (upFront.has(name) || !byName.has(name)) return;
    upFront.add(name);
    byName.get(name)!.imports.forEach(visit);
  };
  visit(chunks.find((c) => c.isEntry)!.fileName);
  const lazy = new Map<string, number>();
  const nameOf = (c: OutputChunk) => (c.moduleIds.some((m) => m.includes('monitor-factory')) ? 'the drift monitor' : c.moduleIds.find((m) => /packages\/[^/]+\/dist/.test(m))?.replace(/.*packages\/([^/]+)\/dist\/(.*)\.js$/, '$1/$2') ?? c.fileName);
  for (const c of chunks) if (!upFront.has(c.fileName)) lazy.set(nameOf(c), gz(c));
  const total = [...upFront].reduce((n, f) => n + gz(byName.get(f)!), 0);
  await rm(dir, { recursive: true, force: true });
  return { label, upFront: total, lazy };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const page = await measure(`import { createWebRuntime } from '@edgewise/web';\nexport const runtime = createWebRuntime();\n`, 'page: @edgewise/web (core, web, engine-onnx, engine-tfjs adapters, store)');
const core = await measure(`import { createRuntime } from '@edgewise/core';\nimport { createOnnxEngine } from '@edgewise/engine-onnx';\nexport const runtime = createRuntime({ engines: [createOnnxEngine()] });\n`, 'core + engine-onnx, no monitoring');
const monitored = await measure(
  `import { createRuntime } from '@edgewise/core';\nimport { createOnnxEngine } from '@edgewise/engine-onnx';\nimport { createModelMonitor } from '@edgewise/drift';\nexport const runtime = createRuntime({ engines: [createOnnxEngine()], monitoring: createModelMonitor });\n`,
  'core + engine-onnx + drift monitoring',
);
const worker = await measure(`import '@edgewise/web/worker';\n`, 'worker entry (@edgewise/web/worker)');
console.log('Edgewise code, min+gzip (onnxruntime-web and TF.js excluded):');
for (const m of [core, monitored, page, worker]) {
  const lazy = [...m.lazy].map(([name, n]) => `${name} ${kb(n)}`).join(', ');
  console.log(`  ${m.label}: ${kb(m.upFront)} up front${lazy ? `; loaded on demand: ${lazy}` : ''}`);
}
const json = { core: core.upFront, coreMonitored: monitored.upFront, page: page.upFront, pageLazy: Object.fromEntries(page.lazy), worker: worker.upFront };
await mkdir(join(process.cwd(), 'bench/results'), { recursive: true });
await writeFile(join(process.cwd(), 'bench/results/bundle-size.json'), JSON.stringify(json, null, 2));
