import { startCollector, type RunningCollector } from '@edgewise/collector';
import { MemoryOutbox, createUplink, fetchTransport, type AggregateSource, type Transport, type UplinkEvent } from '@edgewise/uplink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceReport, send } from '../collector-client.js';

/**
 * The uplink against a real collector: what it does with each answer (202, 409, 429, 503, 422,
 * a lost answer). Only the network is interfered with, by wrapping the real fetch transport.
 */
const APP = { app: 'devices', ingestKey: 'dev-in', readKey: 'dev-out' };
let collector: RunningCollector;
beforeAll(async () => {
  collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 1, privacy: false, ratePerMinute: 1_000_000_000 });
}, 60_000); // PGlite's start (WASM compile + migrations) passed the 10 s default on a loaded 2-core machine
afterAll(() => collector?.close());

/** A monitor's aggregates, as a device would hand them to its uplink. */
const source = (runs = 4, mutate: (body: ReturnType<typeof deviceReport>) => void = () => undefined): AggregateSource => ({
  async aggregates() {
    const report = deviceReport(runs);
    mutate(report);
    const { v, id, model, modelVersion, window, baseline, ...body } = report;
    return { body };
  },
});

function uplinkFor(url: string, transport: Transport, aggregates = source(), modelVersion = `v-${Math.random()}`) {
  const events: UplinkEvent[] = [];
  const outbox = new MemoryOutbox();
  const uplink = createUplink({ endpoint: `${url}/v1/reports`, ingestKey: APP.ingestKey, source: aggregates, model: 'weather', modelVersion, outbox, transport, privacy: false, onEvent: (e) => events.push(e) });
  return { uplink, events, outbox, modelVersion };
}

const reportsOf = async (version: string) => (await send(collector.url, `/v1/drift?model=weather&version=${version}`, { key: APP.readKey })).json.reports;

describe('uplink delivery rules against a real collector', () => {
  it('a lost 202 is retried, answered 409, and leaves the outbox as sent (counted once)', async () => {
    let lose = true;
    const losesFirstAnswer: Transport = {
      async send(url, body, headers) {
        const response = await fetchTransport.send(url, body, headers);
        if (lose) {
          lose = false;
          throw new Error('socket hang up'); // the collector committed; the device never heard
        }
        return response;
      },
    };
    const { uplink, events, outbox, modelVersion } = uplinkFor(collector.url, losesFirstAnswer);
    const report = await uplink.collect();
    expect(await uplink.flush()).toEqual({ sent: 0, dropped: 0, pending: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'retry', id: report!.id, status: 0, reason: /network: socket hang up/ });
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(events.at(-1)).toEqual({ type: 'sent', id: report!.id, duplicate: true });
    expect(await outbox.list()).toEqual([]);
    expect(await reportsOf(modelVersion)).toBe(1);
  });

  it('503 with Retry-After (database down) keeps the report and waits at least that long; another collector then takes it', async () => {
    const broken = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 1, privacy: false });
    await broken.db.close();
    let target = broken.url;
    const switchable: Transport = { send: (_url, body, headers) => fetchTransport.send(`${target}/v1/reports`, body, headers) };
    const { uplink, events, modelVersion } = uplinkFor(broken.url, switchable);
    const report = await uplink.collect();
    expect(await uplink.flush()).toMatchObject({ pending: 1, dropped: 0 });
    const retry = events.at(-1) as Extract<UplinkEvent, { type: 'retry' }>;
    expect(retry).toMatchObject({ type: 'retry', id: report!.id, status: 503, reason: /database unavailable/ });
    expect(retry.inMs).toBeGreaterThanOrEqual(2000); // the collector's Retry-After: 2
    target = collector.url;
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(await reportsOf(modelVersion)).toBe(1);
    await broken.server.close();
  });

  it('429 with Retry-After keeps the report and waits until the rate budget refills', async () => {
    const strict = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 1, privacy: false, ratePerMinute: 1 });
    try {
      const { uplink, events } = uplinkFor(strict.url, fetchTransport);
      await uplink.collect();
      await uplink.collect();
      expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 1 });
      const retry = events.at(-1) as Extract<UplinkEvent, { type: 'retry' }>;
      expect(retry).toMatchObject({ type: 'retry', status: 429, reason: /rate limit/ });
      expect(retry.inMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await strict.close();
    }
  });

  it('reports protected on the device (privacy on, the default) are accepted by a collector with privacy on', async () => {
    const strict = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 1 });
    try {
      let now = Date.now();
      const events: UplinkEvent[] = [];
      const uplink = createUplink({ endpoint: `${strict.url}/v1/reports`, ingestKey: APP.ingestKey, source: source(9), model: 'weather', modelVersion: 'private', now: () => now, onEvent: (e) => events.push(e) });
      expect(await uplink.collect()).toBeUndefined(); // 9 runs: below minRunsPerReport, rolls over
      expect(events.at(-1)).toMatchObject({ type: 'held', reason: 'min-runs', runs: 9 });
      expect(await uplink.collect()).toBeUndefined();
      const report = await uplink.collect(); // 27 runs
      expect(report).toMatchObject({ token: expect.stringMatching(/^[0-9a-f]{32}$/) });
      for (let i = 0; i < 3; i++) expect(await uplink.collect()).toBeUndefined(); // 27 runs again, but one report per window
      expect(events.at(-1)).toMatchObject({ type: 'held', reason: 'window-reported', runs: 27 });
      expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
      now += 3_600_000; // the next window: the rolled-over runs go out
      expect(await uplink.collect()).toMatchObject({ counters: { runs: 20 } });
      expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    } finally {
      await strict.close();
    }
  });

  it('a report that can never be accepted (422, 400) is dropped with the status and the collector\'s reason', async () => {
    const overcounted = source(3, (r) => void (r.latencyMs.counts[0] = 100));
    const { uplink, events, outbox } = uplinkFor(collector.url, fetchTransport, overcounted);
    const report = await uplink.collect();
    expect(await uplink.flush()).toEqual({ sent: 0, dropped: 1, pending: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'dropped', id: report!.id, status: 422, reason: /^HTTP 422: latencyMs: 103 counted, more than counters.runs/ });
    expect(await outbox.list()).toEqual([]);
  });
});
