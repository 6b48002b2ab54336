/** What a transport hands back: the status, the body text, and the Retry-After header when present. */
export interface TransportResponse {
  status: number;
  body?: string;
  /** The Retry-After header as sent (seconds, or an HTTP date). */
  retryAfter?: string;
}

/** How reports leave the device. Platforms may swap it (React Native, Electron's net module). */
export interface Transport {
  send(url: string, body: string, headers: Record<string, string>): Promise<TransportResponse>;
}

/** The default: fetch, with keepalive so a report can leave while the page unloads. */
export const fetchTransport: Transport = {
  async send(url, body, headers) {
    const response = await fetch(url, { method: 'POST', body, headers, keepalive: body.length < 60_000 });
    const retryAfter = response.headers.get('retry-after');
    return { status: response.status, body: await response.text().catch(() => ''), ...(retryAfter ? { retryAfter } : {}) };
  },
};
