/**
 * Browser half of the store benchmark: for each model, cold load (download over loopback, verify,
 * install into IndexedDB, create the ORT session), warm load (read + verify from IndexedDB, create
 * the session) and the floor: creating the session from bytes already in memory.
 */
import { IndexedDBStore, ModelCache } from '@edgewise/store';
import * as ort from 'onnxruntime-web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const session = async (bytes: Uint8Array) => (await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] })).release();
const result: Record<string, unknown> = {};

for (const [name, version] of [['mnist', '1.0.0'], ['bench-8mb', '1.0.0']] as const) {
  const manifest = `/models/generated/${name}/manifest.json`;
  const cold: number[] = [];
  const warm: number[] = [];
  const memory: number[] = [];
  const manifestOnly: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 5; round++) {
    const cache = new ModelCache(new IndexedDBStore(`bench-${name}-${round}`));
    await cache.clear();
    let t = performance.now();
    const first = await cache.load(manifest, { version });
    await session(first.files[first.entry]!);
    cold.push(performance.now() - t);
    t = performance.now();
    const again = await cache.load(manifest, { version });
    await session(again.files[again.entry]!);
    warm.push(performance.now() - t);
    t = performance.now();
    await session(again.files[again.entry]!);
    memory.push(performance.now() - t);
    // Where warm time goes: the manifest request alone (revalidated on every load).
    t = performance.now();
    await (await fetch(manifest, { cache: 'no-cache' })).json();
    manifestOnly.push(performance.now() - t);
    bytes = again.files[again.entry]!.byteLength;
    await cache.clear();
  }
  result[name] = { bytes, coldMs: median(cold), warmMs: median(warm), memoryMs: median(memory), manifestMs: median(manifestOnly) };
}
document.querySelector('#out')!.textContent = JSON.stringify(result, null, 2);
(window as unknown as { benchResult: unknown }).benchResult = result;
