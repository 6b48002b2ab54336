import { StoreError } from './errors.js';
import { parseManifest, type Manifest } from './manifest.js';

/**
 * Why a manifest could not be used although something answered. All of these mean "the network is
 * not really there" (a captive portal, a proxy, a cut connection), so a cached version serves.
 */
export type UnavailableReason = 'unreachable' | 'server-error' | 'html' | 'wrong-content-type' | 'not-json' | 'cross-origin-redirect';

export type ManifestResult = { manifest: Manifest } | { unavailable: UnavailableReason; detail: string };

const ACCEPTED_TYPES = /json|^text\/plain|^application\/octet-stream|^$/;

/**
 * Fetches and checks a manifest. JSON that is not a valid manifest throws E_MANIFEST (the publisher
 * must fix it); an HTTP 4xx throws too. Everything that looks like the network lying is returned as
 * `unavailable`, with a detail that names the URL and what came back.
 */
export async function fetchManifest(url: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<ManifestResult> {
  const unavailable = (reason: UnavailableReason, what: string): ManifestResult => ({ unavailable: reason, detail: `manifest ${url} ${what}` });
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, cache: 'no-cache' });
  } catch (cause) {
    if (signal?.aborted) throw new StoreError('E_ABORTED', `Loading manifest ${url} was aborted.`, { cause });
    return unavailable('unreachable', `is unreachable (${(cause as Error).message})`);
  }
  if (response.redirected && response.url && new URL(response.url).origin !== new URL(url).origin) {
    await response.body?.cancel().catch(() => undefined);
    return unavailable('cross-origin-redirect', `was redirected to another origin (${response.url})`);
  }
  if (response.status >= 500) return unavailable('server-error', `answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  if (!response.ok) throw new StoreError('E_MANIFEST', `manifest ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    return unavailable('unreachable', `broke off mid-way (${(cause as Error).message})`);
  }
  const start = JSON.stringify(text.slice(0, 60));
  if (type === 'text/html' || /^\s*</.test(text)) return unavailable('html', `answered HTML (content-type ${type || 'none'}), as a captive portal does: ${start}…`);
  if (!ACCEPTED_TYPES.test(type)) return unavailable('wrong-content-type', `answered content-type ${type}, not JSON: ${start}…`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return unavailable('not-json', `is not JSON (truncated or damaged, ${text.length} characters): ${(cause as Error).message}`);
  }
  return { manifest: parseManifest(json, `manifest ${url}`) };
}
