import { describe, expect, it } from 'vitest';
import { fetchManifest } from './manifest-fetch.js';

/**
 * Unit tests of how each kind of answer is classified. The answers are built as Response objects
 * (the pure part: status, headers, body); real-server behaviour (dropped connections, captive
 * portals over HTTP) is covered in test/node/model-delivery.test.ts.
 */
const URL_ = 'https://models.example/m/manifest.json';
const good = JSON.stringify({
  format: 'edgewise-manifest',
  version: 1,
  name: 'm',
  latest: '1.0.0',
  versions: { '1.0.0': { engine: 'onnx', entry: 'm.onnx', files: [{ path: 'm.onnx', size: 1, sha256: 'ab'.repeat(32) }] } },
});
const answer = (body: BodyInit | null, init: ResponseInit & { redirectedTo?: string } = {}) => {
  const response = new Response(body, init);
  if (init.redirectedTo) {
    Object.defineProperty(response, 'redirected', { value: true });
    Object.defineProperty(response, 'url', { value: init.redirectedTo });
  }
  return response;
};
const fetching =
  (response: Response | (() => Response), seen: RequestInit[] = []): typeof fetch =>
  async (_url, init) => {
    seen.push(init ?? {});
    return typeof response === 'function' ? response() : response;
  };

describe('fetchManifest', () => {
  it('returns the parsed manifest, asks the HTTP cache to revalidate, and passes the signal on', async () => {
    const seen: RequestInit[] = [];
    const signal = new AbortController().signal;
    const got = await fetchManifest(URL_, fetching(answer(good, { headers: { 'content-type': 'application/json; charset=utf-8' } }), seen), signal);
    expect(got).toMatchObject({ manifest: { name: 'm', latest: '1.0.0', revoked: [] } });
    expect(seen).toEqual([{ signal, cache: 'no-cache' }]);
  });

  it.each(['text/plain', 'application/octet-stream', 'APPLICATION/JSON', 'application/manifest+json', ''])('accepts JSON served as %j', async (type) => {
    const headers = type ? { 'content-type': type } : undefined;
    const got = await fetchManifest(URL_, fetching(() => { const r = answer(good, { headers }); if (!type) r.headers.delete('content-type'); return r; }));
    expect('manifest' in got).toBe(true);
  });

  it('an unreachable server is "unreachable", with the URL and the cause', async () => {
    const got = await fetchManifest(URL_, async () => {
      throw new TypeError('fetch failed');
    });
    expect(got).toEqual({ unavailable: 'unreachable', detail: `manifest ${URL_} is unreachable (fetch failed)` });
  });

  it('an aborted load throws E_ABORTED, keeping the cause, instead of reporting the network', async () => {
    const controller = new AbortController();
    controller.abort();
    const cause = new DOMException('aborted', 'AbortError');
    const error = await fetchManifest(URL_, async () => Promise.reject(cause), controller.signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_ABORTED', message: `Loading manifest ${URL_} was aborted.`, cause });
  });

  it('a redirect to another origin is refused (and its body cancelled); one within the origin is followed', async () => {
    let cancelled = false;
    const body = new ReadableStream({ cancel: () => void (cancelled = true) });
    const away = await fetchManifest(URL_, fetching(answer(body, { redirectedTo: 'https://portal.example/login' })));
    expect(away).toEqual({ unavailable: 'cross-origin-redirect', detail: `manifest ${URL_} was redirected to another origin (https://portal.example/login)` });
    expect(cancelled).toBe(true);
    const same = await fetchManifest(URL_, fetching(answer(good, { redirectedTo: 'https://models.example/m/v2/manifest.json' })));
    expect('manifest' in same).toBe(true);
    // A redirect whose final URL is unknown (opaque) is judged by its answer.
    const unknown = await fetchManifest(URL_, fetching(answer(good, { redirectedTo: '' })));
    expect('manifest' in unknown).toBe(true);
  });

  it('5xx is "server-error" (retry later, serve the cache); 4xx throws E_MANIFEST; both name the status', async () => {
    expect(await fetchManifest(URL_, fetching(answer('x', { status: 500 })))).toEqual({ unavailable: 'server-error', detail: `manifest ${URL_} answered HTTP 500` });
    expect(await fetchManifest(URL_, fetching(answer('x', { status: 503, statusText: 'Service Unavailable' })))).toEqual({
      unavailable: 'server-error',
      detail: `manifest ${URL_} answered HTTP 503 Service Unavailable`,
    });
    await expect(fetchManifest(URL_, fetching(answer('x', { status: 499 })))).rejects.toMatchObject({ code: 'E_MANIFEST', message: `manifest ${URL_} answered HTTP 499` });
    await expect(fetchManifest(URL_, fetching(answer('x', { status: 404, statusText: 'Not Found' })))).rejects.toMatchObject({
      code: 'E_MANIFEST',
      message: `manifest ${URL_} answered HTTP 404 Not Found`,
    });
  });

  it('HTML is "html" whether labelled so or sniffed from a leading tag, quoting its start', async () => {
    const page = '<!doctype html><title>Sign in to Hotel WiFi</title>' + 'x'.repeat(100);
    const labelled = await fetchManifest(URL_, fetching(answer(page, { headers: { 'content-type': 'Text/HTML; charset=utf-8' } })));
    expect(labelled).toEqual({ unavailable: 'html', detail: `manifest ${URL_} answered HTML (content-type text/html), as a captive portal does: ${JSON.stringify(page.slice(0, 60))}…` });
    const sniffed = await fetchManifest(URL_, fetching(answer(' \n<html>', { headers: { 'content-type': 'application/json' } })));
    expect(sniffed).toMatchObject({ unavailable: 'html', detail: expect.stringContaining('(content-type application/json)') });
    const untyped = await fetchManifest(URL_, fetching(() => { const r = answer('<p>hi</p>'); r.headers.delete('content-type'); return r; }));
    expect(untyped).toMatchObject({ unavailable: 'html', detail: expect.stringContaining('(content-type none)') });
    const plain = await fetchManifest(URL_, fetching(answer('Sign in to continue', { headers: { 'content-type': 'text/html' } })));
    expect(plain).toMatchObject({ unavailable: 'html' });
    // A "<" later in the text is not HTML: a JSON string may contain one.
    const notHtml = await fetchManifest(URL_, fetching(answer('x<y', { headers: { 'content-type': 'application/json' } })));
    expect(notHtml).toMatchObject({ unavailable: 'not-json' });
  });

  it('another content type is "wrong-content-type"; broken JSON is "not-json" with its length', async () => {
    const image = await fetchManifest(URL_, fetching(answer(good, { headers: { 'content-type': 'image/png' } })));
    expect(image).toEqual({ unavailable: 'wrong-content-type', detail: `manifest ${URL_} answered content-type image/png, not JSON: ${JSON.stringify(good.slice(0, 60))}…` });
    const half = good.slice(0, 40);
    const truncated = await fetchManifest(URL_, fetching(answer(half, { headers: { 'content-type': 'application/json' } })));
    expect(truncated).toMatchObject({ unavailable: 'not-json', detail: expect.stringMatching(new RegExp(`^manifest ${URL_.replace(/[./]/g, '\\$&')} is not JSON \\(truncated or damaged, 40 characters\\): .+`)) });
  });

  it('a body that breaks off mid-way is "unreachable"', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(good.slice(0, 10)));
        controller.error(new Error('connection reset'));
      },
    });
    expect(await fetchManifest(URL_, fetching(answer(body)))).toEqual({ unavailable: 'unreachable', detail: `manifest ${URL_} broke off mid-way (connection reset)` });
  });

  it('valid JSON that is not a manifest throws E_MANIFEST naming the URL', async () => {
    await expect(fetchManifest(URL_, fetching(answer('{"format":"other"}')))).rejects.toMatchObject({
      code: 'E_MANIFEST',
      message: expect.stringMatching(new RegExp(`^manifest ${URL_.replace(/[./]/g, '\\$&')} is not a valid Edgewise manifest`)),
    });
  });
});
