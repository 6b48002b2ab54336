import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';

/** How the server misbehaves for files whose path matches `match` (all files when absent). */
export type Fault = { mode: 'ok' } | { mode: 'fail' | 'offline' | 'corrupt' | 'truncate'; match?: RegExp } | { mode: 'slow'; bytesPerTick: number; match?: RegExp };

/**
 * A real HTTP server on loopback over a directory, which tests can tell to fail, drop connections,
 * serve wrong or truncated bytes, or dribble them slowly. Counts requests per path.
 */
export async function startFaultServer(root: string) {
  let fault: Fault = { mode: 'ok' };
  const requests = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    // Pages served cross-origin isolated (COEP require-corp) may only read responses that opt in.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const applies = fault.mode !== 'ok' && (!('match' in fault) || !fault.match || fault.match.test(path));
    if (applies && fault.mode === 'offline') return void req.socket.destroy();
    if (applies && fault.mode === 'fail') return void res.writeHead(503).end('unavailable');
    let body: Buffer;
    try {
      body = await readFile(join(root, normalize(path).replace(/^(\.\.[/\\])+/, '')));
    } catch {
      return void res.writeHead(404).end('not found');
    }
    if (applies && fault.mode === 'corrupt') body = Buffer.from(body.map((b, i) => (i === body.length >> 1 ? b ^ 0xff : b)));
    if (applies && fault.mode === 'truncate') body = body.subarray(0, body.length >> 1);
    res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    if (applies && fault.mode === 'slow') {
      for (let i = 0; i < body.length && !res.destroyed; i += fault.bytesPerTick) {
        res.write(body.subarray(i, i + fault.bytesPerTick));
        await new Promise((r) => setTimeout(r, 5));
      }
      return void res.end();
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setFault: (f: Fault) => void (fault = f),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
