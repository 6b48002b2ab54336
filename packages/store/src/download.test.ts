import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { downloadFile, type DownloadPosition, type FileDownload } from './download.js';
import { createPortableSha256 } from './sha256.js';

/**
 * downloadFile's HTTP rules (ranges, validators, restarts, retries, size checks) against scripted
 * answers: each request gets the next Response in the script, built from real bytes. Real servers
 * and dropped connections are covered in test/node/model-delivery.test.ts; here each rule alone.
 */
const FILE = randomBytes(5000);
const URL_ = 'https://models.example/m/model.bin';
const CHUNK = 1024;
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

type Answer = (request: { headers: Record<string, string> }) => Response;
/** A body that sends `bytes` in pieces of `piece` and then fails with `error` (a dropped link). */
const dropping = (bytes: Uint8Array, piece: number, error: Error) => {
  let at = 0;
  // Pull-based: an error raised in start() would discard what was queued before the reader saw it.
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.error(error);
      controller.enqueue(bytes.slice(at, (at += piece)));
    },
  });
};
const full = (etag?: string): Answer => () => new Response(FILE, { status: 200, headers: etag ? { etag } : {} });
const partial = (from: number, etag?: string, total: number | '*' = FILE.length): Answer => () =>
  new Response(FILE.subarray(from), { status: 206, headers: { 'content-range': `bytes ${from}-${FILE.length - 1}/${total}`, ...(etag ? { etag } : {}) } });

function harness(script: Answer[], overrides: Partial<FileDownload> = {}) {
  const requests: Array<Record<string, string>> = [];
  const stored = new Map<number, Uint8Array>();
  const positions: DownloadPosition[] = [];
  let received = 0;
  const hasher = createPortableSha256();
  const job: FileDownload = {
    url: URL_,
    size: FILE.length,
    chunkSize: CHUNK,
    hasher,
    from: { chunks: 0, bytes: 0 },
    retries: 2,
    fetch: async (_url, init) => {
      const headers = { ...(init?.headers as Record<string, string>) };
      requests.push(headers);
      const next = script.shift();
      if (!next) throw new Error('the script has no more answers');
      return next({ headers });
    },
    putChunk: async (index, chunk, offset) => {
      expect(offset).toBe(index * CHUNK);
      stored.set(index, chunk.slice());
    },
    onStored: async (p) => void positions.push(p),
    onBytes: (n) => void (received += n),
    ...overrides,
  };
  const bytes = () => Buffer.concat([...stored.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c));
  return { job, requests, stored, positions, bytes, received: () => received, hasher };
}

/** The stored prefix of an earlier attempt: its chunks, and the hasher fed with them. */
function resumedFrom(h: ReturnType<typeof harness>, chunks: number, etag?: string) {
  for (let i = 0; i < chunks; i++) h.stored.set(i, FILE.subarray(i * CHUNK, (i + 1) * CHUNK));
  h.hasher.update(FILE.subarray(0, chunks * CHUNK));
  h.job.from = { chunks, bytes: chunks * CHUNK, ...(etag ? { etag } : {}) };
}

describe('downloadFile', () => {
  it('streams the whole file in chunks, reports every stored position, and keeps the ETag', async () => {
    const h = harness([full('"v1"')]);
    const end = await downloadFile(h.job);
    expect(end).toEqual({ chunks: 5, bytes: 5000, etag: '"v1"' });
    expect(h.bytes().equals(FILE)).toBe(true);
    expect(h.hasher.hex()).toBe(hex(FILE));
    expect(h.positions.map((p) => p.bytes)).toEqual([1024, 2048, 3072, 4096, 5000]);
    expect(h.received()).toBe(5000);
    expect(h.requests).toEqual([{}]);
  });

  it('resumes with Range and If-Range from the stored bytes, when the server continues exactly there', async () => {
    const h = harness([partial(2048, '"v1"')]);
    resumedFrom(h, 2, '"v1"');
    const end = await downloadFile(h.job);
    expect(h.requests).toEqual([{ range: 'bytes=2048-', 'if-range': '"v1"' }]);
    expect(end).toEqual({ chunks: 5, bytes: 5000, etag: '"v1"' });
    expect(h.bytes().equals(FILE)).toBe(true);
    expect(h.hasher.hex()).toBe(hex(FILE));
    expect(h.received()).toBe(5000 - 2048);
  });

  it('sends no If-Range for a weak or missing ETag (a strong validator is required), and accepts an unknown total', async () => {
    const weak = harness([partial(1024, undefined, '*')]);
    resumedFrom(weak, 1, 'W/"v1"');
    await downloadFile(weak.job);
    expect(weak.requests).toEqual([{ range: 'bytes=1024-' }]);
    expect(weak.bytes().equals(FILE)).toBe(true);
    const none = harness([partial(1024)]);
    resumedFrom(none, 1);
    await downloadFile(none.job);
    expect(none.requests).toEqual([{ range: 'bytes=1024-' }]);
  });

  it.each([
    ['a 200 with the whole file (range ignored)', [full('"v1"')], 1],
    ['a 206 from another offset', [partial(1024, '"v1"'), full('"v1"')], 2],
    ['a 206 of a file of another size', [partial(2048, '"v1"', 9999), full('"v1"')], 2],
    ['a 206 whose ETag changed', [partial(2048, '"v2"'), full('"v2"')], 2],
    ['a 206 without Content-Range', [() => new Response(FILE.subarray(2048), { status: 206 }), full()], 2],
    ['a 206 with a malformed Content-Range', [() => new Response(FILE.subarray(2048), { status: 206, headers: { 'content-range': 'bytes 2048-4999/5000 extra' } }), full()], 2],
    ['a 206 with a prefixed Content-Range', [() => new Response(FILE.subarray(2048), { status: 206, headers: { 'content-range': 'xbytes 2048-4999/5000' } }), full()], 2],
    ['a 416', [() => new Response(null, { status: 416 }), full()], 2],
  ] as Array<[string, Answer[], number]>)('restarts from byte 0 on %s, discarding what was counted', async (_name, script, requests) => {
    const h = harness(script);
    resumedFrom(h, 2, '"v1"');
    const end = await downloadFile(h.job);
    expect(h.requests).toHaveLength(requests);
    if (requests === 2) expect(h.requests[1]).toEqual({});
    expect(end.bytes).toBe(5000);
    expect(h.bytes().equals(FILE)).toBe(true);
    expect(h.hasher.hex()).toBe(hex(FILE));
    // The 2048 stored bytes were reported earlier by the caller; the restart takes them back.
    expect(h.received()).toBe(5000 - 2048);
  });

  it('a dropped connection resumes from the last stored chunk, within the retries, and counts only kept bytes', async () => {
    const h = harness([() => new Response(dropping(FILE.subarray(0, 2500), 500, new Error('reset')), { headers: { etag: '"v1"' } }), partial(2048, '"v1"')]);
    const end = await downloadFile(h.job);
    expect(h.requests).toEqual([{}, { range: 'bytes=2048-', 'if-range': '"v1"' }]);
    expect(end).toEqual({ chunks: 5, bytes: 5000, etag: '"v1"' });
    expect(h.bytes().equals(FILE)).toBe(true);
    expect(h.received()).toBe(5000);
  });

  it('after the last retry, fails with E_DOWNLOAD saying how far it got and how many attempts were made', async () => {
    const drop = (): Response => new Response(dropping(FILE.subarray(0, 1500), 1500, new Error('reset by peer')));
    const h = harness([drop, () => new Response(dropping(FILE.subarray(1024, 1500), 476, new Error('reset by peer')), { status: 206, headers: { 'content-range': 'bytes 1024-4999/5000' } })], { retries: 1 });
    const error = await downloadFile(h.job).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'E_DOWNLOAD',
      message: `Download of ${URL_} failed mid-way after 2 attempts (1024 of 5000 bytes stored; the next load resumes from there): reset by peer`,
      cause: expect.objectContaining({ message: 'reset by peer' }),
    });
    expect(h.received()).toBe(1024);
    const none = harness([drop], { retries: 0 });
    await expect(downloadFile(none.job)).rejects.toMatchObject({ message: expect.stringContaining('after 1 attempts') });
  });

  it('an HTTP error is not retried, and names the status', async () => {
    const h = harness([() => new Response('no', { status: 404, statusText: 'Not Found' })]);
    await expect(downloadFile(h.job)).rejects.toMatchObject({ code: 'E_DOWNLOAD', message: `Could not fetch ${URL_}: HTTP 404 Not Found` });
    expect(h.requests).toHaveLength(1);
  });

  it('a fetch that throws is E_DOWNLOAD with the cause; under an aborted signal, E_ABORTED', async () => {
    const cause = new TypeError('fetch failed');
    const failing = harness([], { fetch: async () => Promise.reject(cause) });
    await expect(downloadFile(failing.job)).rejects.toMatchObject({ code: 'E_DOWNLOAD', message: `Could not fetch ${URL_}: fetch failed`, cause });
    const controller = new AbortController();
    controller.abort();
    const aborted = harness([], { fetch: async () => Promise.reject(cause), signal: controller.signal });
    await expect(downloadFile(aborted.job)).rejects.toMatchObject({ code: 'E_ABORTED', message: `Download of ${URL_} was aborted.`, cause });
  });

  it('an abort mid-body is E_ABORTED, not a drop to retry', async () => {
    const controller = new AbortController();
    const h = harness(
      [
        () => {
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(FILE.slice(0, 1500));
              controller.abort();
              c.error(new DOMException('aborted', 'AbortError'));
            },
          });
          return new Response(body);
        },
      ],
      { signal: controller.signal, retries: 5 },
    );
    await expect(downloadFile(h.job)).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(h.requests).toHaveLength(1);
  });

  it('more bytes than the manifest says is E_INTEGRITY at once; fewer is E_INTEGRITY "truncated" with the count', async () => {
    const longer = harness([() => new Response(Buffer.concat([FILE, Buffer.from([1])]))]);
    await expect(downloadFile(longer.job)).rejects.toMatchObject({ code: 'E_INTEGRITY', message: `${URL_} is larger than the manifest's 5000 bytes.` });
    const shorter = harness([() => new Response(FILE.subarray(0, 4500))]);
    await expect(downloadFile(shorter.job)).rejects.toMatchObject({ code: 'E_INTEGRITY', message: `${URL_} ended after 4500 of the manifest's 5000 bytes (truncated).` });
    expect(shorter.received()).toBe(4096);
  });

  it('stores an empty file as one empty chunk', async () => {
    const h = harness([() => new Response(new Uint8Array(0))], { size: 0 });
    expect(await downloadFile(h.job)).toEqual({ chunks: 1, bytes: 0 });
    expect([...h.stored.keys()]).toEqual([0]);
    expect(h.stored.get(0)!.byteLength).toBe(0);
  });

  it('a failed write is the store\'s error, not retried as a network drop', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    let writes = 0;
    const h = harness([full()], {
      putChunk: async () => {
        if (++writes === 2) throw quota;
      },
    });
    await expect(downloadFile(h.job)).rejects.toBe(quota);
    expect(h.requests).toHaveLength(1);
  });

  it('reads a body-less response (React Native) as one piece', async () => {
    const h = harness([
      () => {
        const r = new Response(FILE);
        Object.defineProperty(r, 'body', { value: null });
        return r;
      },
    ]);
    expect((await downloadFile(h.job)).bytes).toBe(5000);
    expect(h.bytes().equals(FILE)).toBe(true);
  });

  it('cancels the body when it stops reading early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(4000));
      },
      cancel: () => void (cancelled = true),
    });
    const h = harness([() => new Response(body)]);
    await expect(downloadFile(h.job)).rejects.toMatchObject({ code: 'E_INTEGRITY' });
    expect(cancelled).toBe(true);
  });
});
