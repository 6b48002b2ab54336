import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';

/**
 * How the server misbehaves for files whose path matches `match` (all files when absent):
 * - fail: 503; offline: the connection is dropped before any answer; corrupt: one byte flipped;
 *   truncate: a clean response with half the bytes; slow: `bytesPerTick` every 5 ms.
 * - cut: a full-length response whose connection drops after `at` (0..1) of the body, on requests
 *   without a Range header (so a resume gets the rest), optionally dribbling `bytesPerTick`.
 * - html: a captive portal's login page (200, text/html); content-type: the real bytes under another
 *   type; redirect: 302 to `location` (another origin); truncate-json: half of a JSON file.
 */
export type Fault =
  | { mode: 'ok' }
  | { mode: 'fail' | 'offline' | 'corrupt' | 'truncate' | 'html' | 'truncate-json'; match?: RegExp }
  | { mode: 'slow'; bytesPerTick: number; match?: RegExp }
  | { mode: 'cut'; at: number; bytesPerTick?: number; match?: RegExp }
  | { mode: 'content-type'; type: string; match?: RegExp }
  | { mode: 'redirect'; location: string; match?: RegExp };

/** One request that carried a Range header, and what the server answered. */
export interface RangeRequest {
  path: string;
  range: string;
  status: number;
}

/**
 * A real HTTP server on loopback over a directory, which tests can tell to fail, drop connections,
 * serve wrong or truncated bytes, or dribble them slowly. Serves byte ranges (206 + Content-Range,
 * strong ETags, If-Range) unless told to ignore them. Counts requests per path and logs every Range.
 */
export async function startFaultServer(root: string) {
  let fault: Fault = { mode: 'ok' };
  let honourRanges = true;
  let etagSalt = '';
  const requests = new Map<string, number>();
  const ranges: RangeRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    // Pages served cross-origin isolated (COEP require-corp) may only read responses that opt in.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'range, if-range');
    res.setHeader('access-control-expose-headers', 'content-range, etag, accept-ranges');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end(); // CORS preflight (If-Range): not counted
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const applies = fault.mode !== 'ok' && (!('match' in fault) || !fault.match || fault.match.test(path));
    if (applies && fault.mode === 'offline') return void req.socket.destroy();
    if (applies && fault.mode === 'fail') return void res.writeHead(503).end('unavailable');
    if (applies && fault.mode === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in to Hotel WiFi</title><form>…</form>');
    if (applies && fault.mode === 'redirect') return void res.writeHead(302, { location: fault.location }).end();
    let body: Buffer;
    try {
      body = await readFile(join(root, normalize(path).replace(/^(\.\.[/\\])+/, '')));
    } catch {
      return void res.writeHead(404).end('not found');
    }
    if (applies && fault.mode === 'corrupt') body = Buffer.from(body.map((b, i) => (i === body.length >> 1 ? b ^ 0xff : b)));
    if (applies && (fault.mode === 'truncate' || fault.mode === 'truncate-json')) body = body.subarray(0, body.length >> 1);
    const etag = `"${createHash('sha256').update(etagSalt).update(body).digest('hex').slice(0, 16)}"`;
    const type = applies && fault.mode === 'content-type' ? fault.type : path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const headers: Record<string, string | number> = { 'content-type': type, etag, 'accept-ranges': honourRanges ? 'bytes' : 'none' };
    const range = req.headers.range;
    let status = 200;
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && honourRanges && match && (!ifRange || ifRange === etag)) {
      start = Number(match[1]);
      if (start >= body.length) {
        ranges.push({ path, range, status: 416 });
        return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    if (range) ranges.push({ path, range, status });
    const part = body.subarray(start);
    headers['content-length'] = part.length;
    res.writeHead(status, headers);
    const tick = applies && (fault.mode === 'slow' || fault.mode === 'cut') ? (fault.bytesPerTick ?? 0) : 0;
    const cutAt = applies && fault.mode === 'cut' && !range ? Math.floor(part.length * fault.at) : part.length;
    if (tick > 0 || cutAt < part.length) {
      const step = tick || 256 * 1024;
      for (let i = 0; i < cutAt && !res.destroyed; i += step) {
        res.write(part.subarray(i, Math.min(i + step, cutAt)));
        await new Promise((r) => setTimeout(r, tick ? 5 : 1));
      }
      // The drop comes a moment after the last byte, as a dying link does; a browser drops bytes its
      // network stack held but the page had not read yet when the connection errors.
      if (cutAt < part.length) return void setTimeout(() => res.destroy(), 500);
      return void res.end();
    }
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setFault: (f: Fault) => void (fault = f),
    /** false: answer every Range request with the whole file (200), as some servers and proxies do. */
    setHonourRanges: (honour: boolean) => void (honourRanges = honour),
    /** Changes every ETag without changing the bytes (another CDN node, a redeploy of the same file). */
    setEtagSalt: (salt: string) => void (etagSalt = salt),
    requests,
    ranges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
