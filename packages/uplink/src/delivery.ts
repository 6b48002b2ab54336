import type { TransportResponse } from './transport.js';

/**
 * What the uplink does with one answer from the collector:
 * - 2xx: delivered; 409: the collector had counted this id already (an earlier attempt's 202 was
 *   lost on the way): delivered too. Either way the report leaves the outbox.
 * - network error, 408, 425, 429, 5xx (and anything unexpected): the collector could not take it
 *   now; keep it and retry later, no sooner than Retry-After.
 * - any other 4xx: the report can never be accepted (invalid, refused); drop it and say why.
 */
export type Delivery = { kind: 'delivered'; duplicate: boolean } | { kind: 'retry'; reason: string; retryAfterMs?: number } | { kind: 'drop'; reason: string };

const RETRYABLE_4XX = new Set([408, 425, 429]);

/** Retry-After as ms from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The collector's `{ error }` message when the body has one, else the body text (shortened). */
function reasonOf(response: TransportResponse): string {
  const text = response.body ?? '';
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'string') return `HTTP ${response.status}: ${parsed.error}`;
  } catch {
    // not JSON: use the text
  }
  return `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

export function classify(response: TransportResponse): Delivery {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', duplicate: false };
  if (status === 409) return { kind: 'delivered', duplicate: true };
  if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) return { kind: 'drop', reason: reasonOf(response) };
  const wait = retryAfterMs(response.retryAfter);
  return wait === undefined ? { kind: 'retry', reason: reasonOf(response) } : { kind: 'retry', reason: reasonOf(response), retryAfterMs: wait };
}
