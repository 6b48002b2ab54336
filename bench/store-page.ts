/** The store benchmark page: runs the phases here (`?context=page`) or forwards them to a worker. */
import { createBenchApi, type BenchApi } from './store-bench-api.js';

const params = new URLSearchParams(location.search);
const prefer = (params.get('store') ?? 'opfs') as 'opfs' | 'indexeddb';
let api: Record<string, (...args: unknown[]) => Promise<unknown>>;
if (params.get('context') === 'worker') {
  const worker = new Worker(new URL('./store-bench-worker.ts', import.meta.url), { type: 'module' });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.onmessage = (e: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
    const p = pending.get(e.data.id)!;
    pending.delete(e.data.id);
    if (e.data.error !== undefined) p.reject(new Error(e.data.error));
    else p.resolve(e.data.result);
  };
  worker.postMessage({ id: -1, method: 'init', args: [prefer] });
  api = new Proxy({}, {
    get: (_, method) => (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, method, args });
      }),
  });
} else api = createBenchApi(prefer) as unknown as typeof api;
(window as unknown as { bench: BenchApi }).bench = api as unknown as BenchApi;
document.body.dataset.ready = 'true';
