/** The store benchmark's phases inside a dedicated worker (OPFS sync access handles, reads in place). */
import { createBenchApi } from './store-bench-api.js';

let api: Record<string, (...args: unknown[]) => Promise<unknown>> | undefined;
self.onmessage = async (e: MessageEvent<{ id: number; method: string; args: unknown[] }>) => {
  const { id, method, args } = e.data;
  if (method === 'init') return void (api = createBenchApi(args[0] as 'opfs' | 'indexeddb') as unknown as typeof api);
  try {
    self.postMessage({ id, result: await api![method]!(...args) });
  } catch (error) {
    self.postMessage({ id, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
};
