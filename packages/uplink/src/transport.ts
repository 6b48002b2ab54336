/** How reports leave the device. Platforms may swap it (React Native, Electron's net module). */
export interface Transport {
  send(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body?: string }>;
}

/** The default: fetch, with keepalive so a report can leave while the page unloads. */
export const fetchTransport: Transport = {
  async send(url, body, headers) {
    const response = await fetch(url, { method: 'POST', body, headers, keepalive: body.length < 60_000 });
    return { status: response.status, body: await response.text().catch(() => '') };
  },
};
