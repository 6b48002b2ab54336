/**
 * The script-tag build: @edgewise/web (with core and the uplink) bundled by rolldown into one ES
 * module a plain page can import, and its worker beside it. Output: packages/web/dist/bundle/.
 * `npx edgewise-web-assets <dir>` (packages/web/bin) copies it, with the runtime files
 * onnxruntime-web and TF.js fetch at run time, into a folder a static server serves.
 *
 * rolldown because it is the bundler Vite 8 already runs on here (one toolchain), is made for
 * libraries, and keeps dynamic imports as chunks: the TF.js backends and the drift code load only
 * when used.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const web = fileURLToPath(new URL('../packages/web/', import.meta.url));
const out = join(web, 'dist/bundle');

export async function buildBundle(): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  await build({
    input: { edgewise: join(web, 'dist/script-tag.js'), worker: join(web, 'dist/worker.js') },
    platform: 'browser',
    // The published dist/, resolved as a consumer would (not the repo's @edgewise/source condition).
    resolve: { conditionNames: ['browser', 'import', 'module', 'default'] },
    output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'edgewise-[name]-[hash].js', minify: true, sourcemap: false },
    logLevel: 'warn',
  });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await buildBundle();
  const kb = (f: string) => (statSync(join(dir, f)).size / 1024).toFixed(0);
  console.log(`script-tag build in ${dir}: edgewise.js ${kb('edgewise.js')} KB, worker.js ${kb('worker.js')} KB (+ chunks and runtime files)`);
}
