import { createServer, type Server } from 'node:http';
import { startCollector, verifyWebhookSignature, type AlertRule, type RunningCollector } from '@edgewise/collector';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../collector-client.js';
import { pastWindows, postFleetWindow, registerWeatherBaseline } from '../fleet-windows.js';
import { freshPostgresDatabase, postgresAvailable } from './postgres-database.js';

const APP = { app: 'alerts', ingestKey: 'al-in', readKey: 'al-read', adminKey: 'al-admin' };
const SECRET = 'whsec-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const RULES: AlertRule[] = [
  { id: 'drift', kind: 'drift', threshold: 0.1, windows: 2 },
  { id: 'errors', kind: 'error-rate', threshold: 0.05, windows: 1 },
  { id: 'fallbacks', kind: 'fallback-rate', threshold: 0.2, windows: 1 },
  { id: 'p99', kind: 'latency-p99', threshold: 20_000, windows: 1 },
];

interface Received {
  id: string;
  status: number;
  valid: boolean;
  body: any;
}

/** A real HTTP receiver that verifies signatures and fails each delivery's first attempt with 503. */
async function receiver() {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const id = String(req.headers['x-edgewise-delivery']);
      const valid = verifyWebhookSignature(SECRET, req.headers['x-edgewise-timestamp'] as string, raw, req.headers['x-edgewise-signature'] as string);
      const status = seen.has(id) ? 200 : 503;
      seen.add(id);
      received.push({ id, status, valid, body: JSON.parse(raw) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(r)) };
}

let open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function collectorWith(url: string, databaseUrl?: string): Promise<RunningCollector> {
  const c = await startCollector({ port: 0, databaseUrl, dataDir: undefined, apps: [APP], k: 3, privacy: false, alertRules: RULES, alertWebhook: { url, secret: SECRET, backoffMs: 50 }, alertIntervalMs: 100 });
  open.push(c);
  return c;
}

const settle = () => new Promise((r) => setTimeout(r, 2500)); // ≥ 20 evaluations

describe('alerts: rules on closed windows, signed webhooks, one notification per firing', () => {
  it('sends exactly one signed alert per rule firing (retried after a 503 with the same id) and none for the healthy version', async () => {
    const hook = await receiver();
    open.push(hook);
    const c = await collectorWith(hook.url);
    const windows = pastWindows(5);
    for (const v of ['1.0.0', '2.0.0', '3.0.0']) await registerWeatherBaseline(c.url, APP.adminKey, v);
    for (const [i, w] of windows.entries()) {
      await postFleetWindow(c.url, APP.ingestKey, { version: '1.0.0', windowStart: w, devices: 5, runs: 400 });
      await postFleetWindow(c.url, APP.ingestKey, { version: '2.0.0', windowStart: w, devices: 5, runs: 400, shift: i >= 2 ? 3 : 0 });
      await postFleetWindow(c.url, APP.ingestKey, { version: '3.0.0', windowStart: w, devices: 5, runs: 400, errorsPerDevice: i === 4 ? 80 : 0 });
    }
    await settle();
    const accepted = hook.received.filter((r) => r.status === 200);
    expect(hook.received.every((r) => r.valid)).toBe(true);
    expect(accepted.map((r) => `${r.body.version} ${r.body.rule.id}`).sort()).toEqual(['2.0.0 drift', '3.0.0 errors']);
    // Each delivery: a refused first attempt, then the same id and body again.
    for (const a of accepted) {
      const attempts = hook.received.filter((r) => r.id === a.id);
      expect(attempts.map((r) => r.status)).toEqual([503, 200]);
      expect(attempts[0]!.body).toEqual(a.body);
    }
    const drift = accepted.find((r) => r.body.rule.id === 'drift')!.body;
    // Fired on the second drifting window seen (windows arrive while the evaluator runs: the 4th or 5th).
    expect(drift).toMatchObject({ status: 'firing', app: 'alerts', model: 'weather', since: new Date(windows[2]!).toISOString() });
    expect([windows[3], windows[4]].map((w) => new Date(w!).toISOString())).toContain(drift.window.start);
    expect(drift.value).toBeGreaterThan(0.1);
    expect(drift.summary).toMatch(/weather 2\.0\.0: input drift/);
    // A tampered body fails verification.
    expect(verifyWebhookSignature(SECRET, String(Date.now()), JSON.stringify({ ...drift, value: 0 }), 'sha256=00')).toBe(false);
    // The dashboard's banner reads the same firings.
    const active = (await send(c.url, '/v1/alerts', { key: APP.readKey })).json.alerts;
    expect(active.map((a: { version: string; rule: string }) => `${a.version} ${a.rule}`).sort()).toEqual(['2.0.0 drift', '3.0.0 errors']);
    expect((await send(c.url, '/v1/alerts', { key: APP.ingestKey })).status).toBe(403);
  }, 60_000);

  it('sends nothing for a healthy fleet', async () => {
    const hook = await receiver();
    open.push(hook);
    const c = await collectorWith(hook.url);
    await registerWeatherBaseline(c.url, APP.adminKey, '1.0.0');
    for (const w of pastWindows(5)) await postFleetWindow(c.url, APP.ingestKey, { version: '1.0.0', windowStart: w, devices: 5, runs: 400 });
    await settle();
    expect(hook.received).toEqual([]);
    expect((await send(c.url, '/v1/series?model=weather&version=1.0.0', { key: APP.readKey })).json.windows).toHaveLength(5);
  }, 60_000);

  describe.skipIf(!postgresAvailable('collector-alerts'))('on PostgreSQL', () => {
    it('three collector processes on one database evaluating the same windows send one notification per firing', async () => {
      const fresh = (await freshPostgresDatabase('collector-alerts'))!;
      open.push({ close: () => fresh.drop() });
      const hook = await receiver();
      open.push(hook);
      const processes = [await collectorWith(hook.url, fresh.url), await collectorWith(hook.url, fresh.url), await collectorWith(hook.url, fresh.url)];
      const url = processes[0]!.url;
      await registerWeatherBaseline(url, APP.adminKey, '2.0.0');
      for (const [i, w] of pastWindows(4).entries()) await postFleetWindow(processes[i % 3]!.url, APP.ingestKey, { version: '2.0.0', windowStart: w, devices: 5, runs: 400, shift: i >= 1 ? 3 : 0 });
      await settle();
      const accepted = hook.received.filter((r) => r.status === 200);
      expect(accepted.map((r) => `${r.body.version} ${r.body.rule.id}`)).toEqual(['2.0.0 drift']);
      expect(new Set(hook.received.map((r) => r.id)).size).toBe(1);
    }, 60_000);
  });
});
