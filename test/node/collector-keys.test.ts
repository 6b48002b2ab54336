import { inspect } from 'node:util';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing, hashKey, parseApps } from '@edgewise/collector';
import { deviceReport, send, weatherBaselineFile } from '../collector-client.js';
import { readFile } from 'node:fs/promises';

// High-entropy keys as an operator makes them (openssl rand -hex 32); one admin key configured only as its hash.
const KEYS = {
  ingest: ['in-9f4c1b7e2d3a4f5e6b7c8d9e0f1a2b3c', 'in-next-0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
  read: ['rd-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', 'rd-next-1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f'],
  admin: ['ad-7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e', 'ad-next-3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b'],
};
let collector: RunningCollector;

beforeAll(async () => {
  const apps = parseApps(`keys:${KEYS.ingest.join('|')}:${KEYS.read.join('|')}:${KEYS.admin[0]}|sha256-${hashKey(KEYS.admin[1]!)}`);
  collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps, k: 1, privacy: false }); // exact live reads: keys are what is tested here
}, 60_000);
afterAll(() => collector?.close());

const baseline = () => readFile(weatherBaselineFile, 'utf8');
const putBaseline = async (key: string) => send(collector.url, '/v1/baselines/weather/1.0.0', { method: 'PUT', key, body: await baseline() });

describe('keys with roles, only in the Authorization header', () => {
  it('refuses a key in the query string with 400 saying why, even a valid one', async () => {
    for (const path of [`/v1/models?key=${KEYS.read[0]}`, `/metrics?key=${KEYS.read[0]}`, `/v1/drift?model=weather&version=1.0.0&key=${KEYS.read[0]}`, `/v1/models?api_key=${KEYS.read[0]}`]) {
      const r = await fetch(`${collector.url}${path}`);
      expect(r.status, path).toBe(400);
      const body = await r.json();
      expect(body.code).toBe('E_KEY_IN_QUERY');
      expect(body.error).toMatch(/only in the Authorization header.*logs and browser history/);
    }
    // Even alongside a valid header: a URL with a key must never be taught to work.
    expect((await send(collector.url, `/v1/models?key=x`, { key: KEYS.read[0]! })).status).toBe(400);
    const r = await fetch(`${collector.url}/v1/reports?key=${KEYS.ingest[0]}`, { method: 'POST', body: JSON.stringify(deviceReport()), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
  });

  it('refuses read and ingest keys on baseline writes; the admin key works', async () => {
    const byRead = await putBaseline(KEYS.read[0]!);
    expect(byRead.status).toBe(403);
    expect(byRead.json).toMatchObject({ code: 'E_FORBIDDEN', error: expect.stringMatching(/a read key may not do this.*admin key/) });
    expect((await putBaseline(KEYS.ingest[0]!)).status).toBe(403);
    expect((await putBaseline('not-a-key')).status).toBe(401);
    expect((await putBaseline(KEYS.admin[0]!)).status).toBe(204);
    // A read key may see the baseline (the dashboard draws it), not replace it.
    expect((await send(collector.url, '/v1/baselines/weather/1.0.0', { key: KEYS.read[0]! })).json.features.temp_max.kind).toBe('numeric');
  });

  it('keeps ingest write-only and lets admin read', async () => {
    expect((await send(collector.url, '/v1/models', { key: KEYS.ingest[0]! })).status).toBe(403);
    expect((await send(collector.url, '/metrics', { key: KEYS.ingest[1]! })).status).toBe(403);
    expect((await send(collector.url, '/v1/models', { key: KEYS.admin[0]! })).status).toBe(200);
    expect((await send(collector.url, '/v1/reports', { key: KEYS.admin[0]!, body: JSON.stringify(deviceReport()) })).status).toBe(403);
    expect((await send(collector.url, '/v1/admin/retention', { key: KEYS.read[0]!, body: '{}' })).status).toBe(403);
    expect((await send(collector.url, '/v1/admin/retention', { key: KEYS.admin[0]!, body: '{}' })).json).toMatchObject({ windows: 0 });
  });

  it('accepts both keys of every role during a rotation (the second admin key configured as its hash)', async () => {
    for (const key of KEYS.ingest) expect((await send(collector.url, '/v1/reports', { key, body: JSON.stringify(deviceReport()) })).status).toBe(202);
    for (const key of KEYS.read) expect((await send(collector.url, '/v1/models', { key })).json.models[0]).toMatchObject({ model: 'weather', reports: 2 });
    for (const key of KEYS.admin) expect((await putBaseline(key)).status).toBe(204);
    expect(() => new KeyRing([{ app: 'x', ingestKey: ['a', 'b', 'c'], readKey: 'r' }])).toThrow(/at most 2 per role/);
    expect(() => new KeyRing([{ app: 'x', ingestKey: 'same', readKey: 'same' }])).toThrow(/distinct/);
  });

  it('holds keys only as SHA-256 hashes', () => {
    const ring = new KeyRing([{ app: 'x', ingestKey: KEYS.ingest[0]!, readKey: KEYS.read[0]!, adminKey: KEYS.admin[0]! }]);
    const dump = inspect(ring, { depth: 10, showHidden: true });
    for (const k of [KEYS.ingest[0]!, KEYS.read[0]!, KEYS.admin[0]!]) {
      expect(dump).not.toContain(k);
      expect(dump).toContain(hashKey(k));
    }
  });

  it('sends security headers on every HTML answer and nosniff on the rest; the page keeps no key in the URL or localStorage', async () => {
    const page = await fetch(`${collector.url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script: the CSP would block it
    const script = await (await fetch(`${collector.url}/dashboard.js`)).text();
    expect(script).toMatch(/sessionStorage/);
    expect(script).not.toMatch(/localStorage\.setItem|location\.search/);
    const json = await fetch(`${collector.url}/v1/models`);
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${collector.url}/assets/uplot.js`)).status).toBe(200);
  });
});
