#!/usr/bin/env node
// `npx edgewise-web-assets <dir>`: copies the script-tag build (edgewise.js, its worker and chunks)
// and the runtime files onnxruntime-web and TF.js fetch at run time into <dir>, for a static server.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME_FILES = [
  ['onnxruntime-web', 'dist/ort-wasm-simd-threaded.jsep.wasm'],
  ['onnxruntime-web', 'dist/ort-wasm-simd-threaded.jsep.mjs'],
  ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm.wasm'],
  ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm-simd.wasm'],
  ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm'],
];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** A package's root folder (onnxruntime-web does not export its package.json). */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new Error(`edgewise-web-assets: cannot find the installed ${name}`);
    dir = dirname(dir);
  }
  return dir;
}

const target = process.argv[2];
if (!target || process.argv.length > 3) {
  console.error('usage: edgewise-web-assets <dir>   (copies edgewise.js, its worker and the ORT/TF.js runtime files into <dir>)');
  process.exit(2);
}
const bundle = join(here, '../dist/bundle');
if (!existsSync(join(bundle, 'edgewise.js'))) {
  console.error(`edgewise-web-assets: ${bundle} has no edgewise.js (in the Edgewise repo, run npm run build first)`);
  process.exit(1);
}
mkdirSync(target, { recursive: true });
const files = readdirSync(bundle);
for (const file of files) copyFileSync(join(bundle, file), join(target, file));
for (const [pkg, file] of RUNTIME_FILES) copyFileSync(join(packageDir(pkg), file), join(target, file.split('/').pop()));
console.log(`edgewise-web-assets: ${files.length} bundle files and ${RUNTIME_FILES.length} runtime files in ${target}`);
