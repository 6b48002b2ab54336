import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const MNIST = fileURLToPath(new URL('../../models/generated/mnist/', import.meta.url));
const FILES = { '1.0.0': 'model-int8.onnx', '1.1.0': 'model-int8-scrambled.onnx' } as const;
export const CANARY_FIXTURE = '/canary-fixture';

/**
 * A model server for the browser canary test, in the test's Vite dev server: a manifest at
 * /canary-fixture/manifest.json with MNIST int8 as 1.0.0 (latest) and the scrambled int8 as 1.1.0,
 * rolled out to the percentage last POSTed to /canary-fixture/rollout?percent=N. The same URL has
 * to change its answer between loads, as a real manifest does when a rollout starts.
 */
export function canaryManifestServer(): Plugin {
  let percent = 0;
  const describe = async (path: string) => {
    const bytes = await readFile(MNIST + path);
    return { path, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  return {
    name: 'edgewise-canary-manifest',
    configureServer(server) {
      server.middlewares.use(CANARY_FIXTURE, (request, response, next) => {
        const url = new URL(request.url ?? '/', 'http://fixture');
        if (request.method === 'POST' && url.pathname === '/rollout') {
          percent = Number(url.searchParams.get('percent') ?? 0);
          return response.end(String(percent));
        }
        if (url.pathname === '/manifest.json') {
          void Promise.all(Object.entries(FILES).map(async ([version, entry]) => [version, { engine: 'onnx', entry, files: [await describe(entry)] }] as const)).then((versions) => {
            response.setHeader('content-type', 'application/json');
            response.setHeader('cache-control', 'no-store');
            response.end(JSON.stringify({ format: 'edgewise-manifest', version: 1, name: 'mnist-canary', latest: '1.0.0', revoked: [], rollout: { version: '1.1.0', percent }, versions: Object.fromEntries(versions) }));
          }, next);
          return;
        }
        const file = Object.values(FILES).find((f) => url.pathname === `/${f}`);
        if (!file) return next();
        void readFile(MNIST + file).then((bytes) => response.end(bytes), next);
      });
    },
  };
}
