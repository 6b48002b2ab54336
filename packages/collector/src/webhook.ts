import { createHmac, timingSafeEqual } from 'node:crypto';

export interface WebhookTarget {
  url: string;
  /** HMAC-SHA256 key shared with the receiver. */
  secret: string;
  /** Retry schedule (defaults: 6 attempts, 1 s doubling). */
  attempts?: number;
  backoffMs?: number;
}

export interface DeliveryOptions {
  attempts?: number;
  /** First retry after this, doubling each time (with jitter). */
  backoffMs?: number;
  timeoutMs?: number;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the timestamp is signed, so a captured delivery cannot be replayed later as new. */
export const webhookSignature = (secret: string, timestamp: string, body: string): string => 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * For receivers: true when the signature matches the body and timestamp and the timestamp is within
 * `toleranceMs` of now. Compares in constant time.
 *
 * @example
 * verifyWebhookSignature(secret, req.headers['x-edgewise-timestamp'], rawBody, req.headers['x-edgewise-signature'])
 */
export function verifyWebhookSignature(secret: string, timestamp: string | undefined, body: string, signature: string | undefined, toleranceMs = 300_000, now = Date.now()): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > toleranceMs) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * POSTs one JSON notification, retrying network errors, timeouts, 429 and 5xx with exponential
 * backoff; a 4xx other than 429 is final (the receiver refused it). Every attempt carries the same
 * `x-edgewise-delivery` id, so a receiver that saw an attempt whose answer was lost can drop the repeat.
 */
export async function deliverWebhook(target: WebhookTarget, id: string, payload: unknown, options: DeliveryOptions = {}): Promise<{ delivered: boolean; attempts: number; status?: number }> {
  const attempts = options.attempts ?? target.attempts ?? 6;
  const body = JSON.stringify(payload);
  let status: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = String(Date.now());
    try {
      const r = await fetch(target.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'edgewise-collector', 'x-edgewise-delivery': id, 'x-edgewise-timestamp': timestamp, 'x-edgewise-signature': webhookSignature(target.secret, timestamp, body) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      status = r.status;
      await r.body?.cancel();
      if (r.ok) return { delivered: true, attempts: attempt, status };
      if (r.status < 500 && r.status !== 429 && r.status !== 408) return { delivered: false, attempts: attempt, status };
    } catch {
      status = undefined;
    }
    if (attempt < attempts) {
      const base = (options.backoffMs ?? target.backoffMs ?? 1000) * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
    }
  }
  return { delivered: false, attempts, status };
}
