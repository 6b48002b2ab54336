import { createServer, type ViteDevServer } from 'vite';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../test/chromium.js';
import { sourceResolution } from '../test/source-conditions.js';

/** A Vite dev server over the repo root, cross-origin isolated, for benchmark pages. */
export async function serveRepo(port = 0): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    configFile: false,
    ...sourceResolution,
    root: new URL('..', import.meta.url).pathname,
    logLevel: 'error',
    server: { port, host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION_HEADERS },
    optimizeDeps: { exclude: ['onnxruntime-web'] },
  });
  await server.listen();
  const address = server.httpServer!.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}
