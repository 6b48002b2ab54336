import { randomUUID } from 'node:crypto';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type Report } from '@edgewise/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [{ app: 'fuzz', ingestKey: 'in', readKey: 'out' }], k: 1, bodyLimit: 16 * 1024, ratePerMinute: 1_000_000 });
}, 60_000);
afterAll(() => collector?.close());

const bins = (n: number) => ({ counts: new Array(n).fill(1), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const valid = (): Report => ({
  v: 1,
  id: randomUUID(),
  model: 'm',
  modelVersion: '1',
  window: { start: 1, end: 2 },
  counters: { runs: 3, errors: 0, rejected: 0, fallbacks: 0 },
  backends: { wasm: 3 },
  latencyMs: bins(LATENCY_EDGES_MS.length + 1),
  confidence: bins(CONFIDENCE_EDGES.length + 1),
  topClasses: { '1': 3 },
  features: { x: { kind: 'numeric', ...bins(10) } },
});

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

/** One malformed request: body text, headers. Every kind must be refused with a 4xx. */
function malformed(replayable: Report): { body: string; headers: Record<string, string>; kind: string } {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer in' };
  const r = valid() as unknown as Record<string, unknown>;
  const mutations: Array<[string, () => string | Record<string, string>]> = [
    ['truncated JSON', () => JSON.stringify(r).slice(0, Math.floor(rand() * 200))],
    ['NaN literal', () => JSON.stringify(r).replace('"runs":3', '"runs":NaN')],
    ['Infinity', () => JSON.stringify(r).replace('"runs":3', '"runs":1e999')],
    ['negative count', () => JSON.stringify({ ...r, counters: { runs: -1, errors: 0, rejected: 0, fallbacks: 0 } })],
    ['fractional count', () => JSON.stringify({ ...r, backends: { wasm: 0.5 } })],
    ['string count', () => JSON.stringify({ ...r, topClasses: { 1: 'three' } })],
    ['wrong version', () => JSON.stringify({ ...r, v: pick([0, 2, '1', null]) })],
    ['bad id', () => JSON.stringify({ ...r, id: pick(['', 'not-a-uuid', 42, null]) })],
    ['missing field', () => {
      const copy = { ...r };
      delete copy[pick(['counters', 'latencyMs', 'features', 'model', 'window'])];
      return JSON.stringify(copy);
    }],
    ['extra field (raw input smuggled)', () => JSON.stringify({ ...r, inputs: [[1, 2, 3]] })],
    ['wrong bin count', () => JSON.stringify({ ...r, latencyMs: bins(3) })],
    ['window backwards', () => JSON.stringify({ ...r, window: { start: 10, end: 2 } })],
    ['unknown feature kind', () => JSON.stringify({ ...r, features: { x: { kind: 'raw', values: [1, 2] } } })],
    ['array body', () => JSON.stringify([r])],
    ['oversized', () => JSON.stringify({ ...r, model: 'x'.repeat(20_000) })],
    ['not JSON at all', () => 'model=m&runs=3'],
    ['replayed', () => JSON.stringify(replayable)],
    ['no key', () => ({ drop: 'authorization' })],
    ['wrong key', () => ({ authorization: 'Bearer out' })],
    ['wrong content type', () => ({ 'content-type': 'text/plain' })],
  ];
  const [kind, make] = pick(mutations);
  const made = make();
  if (typeof made === 'string') return { body: made, headers, kind };
  const h: Record<string, string> = { ...headers, ...made };
  if (made.drop) delete h[made.drop], delete h.drop;
  return { body: JSON.stringify(valid()), headers: h, kind };
}

describe('collector under 10,000 malformed reports', () => {
  it('answers each with a 4xx and a message, stores nothing, and stays up', async () => {
    const first = valid();
    const accepted = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body: JSON.stringify(first), headers: { 'content-type': 'application/json', authorization: 'Bearer in' } });
    expect(accepted.status).toBe(202);
    const before = await collector.db.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM reports WHERE app = 'fuzz'");
    const statuses = new Map<string, Set<number>>();
    const N = 10_000;
    const CONCURRENCY = 16;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          next++;
          const { body, headers, kind } = malformed(first);
          const response = await fetch(`${collector.url}/v1/reports`, { method: 'POST', body, headers });
          const text = await response.text();
          if (!statuses.has(kind)) statuses.set(kind, new Set());
          statuses.get(kind)!.add(response.status);
          if (response.status < 400 || response.status >= 500) throw new Error(`${kind}: got ${response.status} ${text}`);
          expect(JSON.parse(text).error).toMatch(/\w{4,}/);
        }
      }),
    );
    expect(statuses.size).toBeGreaterThanOrEqual(18);
    expect(statuses.get('replayed')).toEqual(new Set([409]));
    expect(statuses.get('oversized')).toEqual(new Set([413]));
    const after = await collector.db.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM reports WHERE app = 'fuzz'");
    expect(after[0]!.n).toBe(before[0]!.n);
    const [window] = await collector.db.query<{ reports: number }>("SELECT reports FROM windows WHERE app = 'fuzz'");
    expect(window!.reports).toBe(1);
    expect((await (await fetch(`${collector.url}/healthz`)).json()).ok).toBe(true);
  }, 300_000);
});
