/**
 * Browser half of the store benchmark, run on the page or inside a dedicated worker (where OPFS has
 * sync access handles). Each call is one measured phase, so the driver can read the
 * browser's peak memory around it: cold load (download, verify, store, then create the ORT session),
 * warm load (read and verify from the store, then the session), and the baselines — a plain fetch of
 * the same files plus the session, and the session from bytes already in memory.
 */
import { BrowserStore, ModelCache, type CachedModel } from '@edgewise/store';
import * as ort from 'onnxruntime-web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
ort.env.wasm.numThreads = 1;
export function createBenchApi(prefer: 'opfs' | 'indexeddb') {
const store = new BrowserStore('edgewise-bench', prefer);
const cache = new ModelCache(store);
// The same store without the SHA-256 pass on load (verify: 'install'): what reading alone costs.
const unverified = new ModelCache(store, { verify: 'install' });
/** The last model's bytes, kept for the from-memory baseline. */
let held: CachedModel['files'] | undefined;
let heldEntry = '';

async function session(entry: string, files: Record<string, Uint8Array>) {
  const externalData = Object.entries(files).filter(([p]) => p !== entry).map(([path, data]) => ({ path, data }));
  const s = await ort.InferenceSession.create(files[entry]!, { executionProviders: ['wasm'], ...(externalData.length ? { externalData } : {}) });
  await s.release();
}
const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

return {
  kind: async () => (await store.adapter()).kind,
  clear: async () => {
    held = undefined;
    await cache.clear();
  },
  /** Download + verify + store (+ session). */
  cold: (manifest: string, version: string, withSession: boolean) =>
    timed(async () => {
      const m = await cache.load(manifest, { version });
      if (m.fromCache) throw new Error(`${manifest} was already cached: not a cold load`);
      if (withSession) await session(m.entry, m.files);
    }),
  /** From the store, verified (+ session); the manifest is checked in the background. */
  warm: (manifest: string, version: string, withSession: boolean) =>
    timed(async () => {
      const m = await cache.load(manifest, { version });
      if (!m.fromCache) throw new Error(`${manifest} was not served from the store`);
      if (withSession) await session(m.entry, m.files);
      [held, heldEntry] = [m.files, m.entry];
    }),
  warmUnverified: (manifest: string, version: string) =>
    timed(async () => {
      const m = await unverified.load(manifest, { version });
      if (!m.fromCache) throw new Error(`${manifest} was not served from the store`);
      await session(m.entry, m.files);
    }),
  settled: async () => {
    await cache.settled();
    await unverified.settled();
  },
  /** Baseline: fetch every file of the version plainly, then the session. */
  plainFetch: (manifest: string, version: string) =>
    timed(async () => {
      const spec = (await (await fetch(manifest, { cache: 'no-store' })).json()).versions[version] as { entry: string; files: Array<{ path: string }> };
      const files: Record<string, Uint8Array> = {};
      for (const f of spec.files) files[f.path] = new Uint8Array(await (await fetch(new URL(f.path, manifest), { cache: 'no-store' })).arrayBuffer());
      await session(spec.entry, files);
    }),
  /** Baseline: the session from bytes already in memory (those of the last warm load). */
  fromMemory: () => timed(() => session(heldEntry, held!)),
  drop: () => void (held = undefined),
  gc: async () => {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 200));
    (globalThis as { gc?: () => void }).gc?.();
  },
};
}
export type BenchApi = ReturnType<typeof createBenchApi>;
