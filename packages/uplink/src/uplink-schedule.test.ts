import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryOutbox } from './outbox.js';
import type { ReportBody } from './privacy.js';
import type { Transport } from './transport.js';
import { createUplink, type AggregateSource, type UplinkEvent } from './uplink.js';

const bins = (counts: number[]) => ({ counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const body = (runs: number): ReportBody => ({ counters: { runs, errors: 0, rejected: 0, fallbacks: 0 }, backends: { wasm: runs }, latencyMs: bins([runs]), confidence: bins([runs]), topClasses: {}, features: {} });

/** A source that hands out one window per call and records how it was asked. */
function countingSource() {
  const asked: boolean[] = [];
  const source: AggregateSource = {
    aggregates: async () => ({ body: body(0) }),
    takeWindows: async ({ includeOpen }) => {
      asked.push(includeOpen);
      return [{ window: { start: asked.length * 1000, end: asked.length * 1000 + 1000 }, body: body(5) }];
    },
  };
  return { source, asked };
}

/** A transport answering from a list of statuses (the last one repeats), or throwing for status -1. */
function scriptedTransport(statuses: Array<number | { status: number; retryAfter?: string }>) {
  const sent: string[] = [];
  const transport: Transport = {
    send: async (_url, payload) => {
      sent.push((JSON.parse(payload) as { id: string }).id);
      const next = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      const answer = typeof next === 'number' ? { status: next } : next;
      if (answer.status === -1) throw new Error('connection refused');
      return answer;
    },
  };
  return { transport, sent };
}

const base = { endpoint: 'http://127.0.0.1:1/v1/reports', ingestKey: 'k', model: 'm', modelVersion: '1', privacy: false as const };

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('delivery events and backoff', () => {
  it('backs off exponentially with full jitter from baseMs to maxMs, never sooner than Retry-After, and starts over after a success', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const events: UplinkEvent[] = [];
    const { transport } = scriptedTransport([503, 503, 503, 503, 503, 503, 503, 503, { status: 503, retryAfter: '7' }, 202, 503]);
    const outbox = new MemoryOutbox();
    const uplink = createUplink({ ...base, source: countingSource().source, outbox, transport, backoff: { baseMs: 100, maxMs: 5000 }, onEvent: (e) => events.push(e) });
    await uplink.collect();
    for (let i = 0; i < 9; i++) await uplink.flush();
    const waits = events.filter((e) => e.type === 'retry').map((e) => (e as { inMs: number }).inMs);
    // 0.5 × min(5000, 100 × 2^(n-1)): 50, 100, 200, … capped at 2500; then Retry-After's 7 s wins.
    expect(waits).toEqual([50, 100, 200, 400, 800, 1600, 2500, 2500, 7000]);
    expect(await uplink.flush()).toEqual({ sent: 1, dropped: 0, pending: 0 });
    await uplink.collect();
    await uplink.flush();
    expect((events.at(-1) as { inMs: number }).inMs).toBe(50);
  });

  it('a network error is a retry naming it; a refusal drops the report even with no listener; a success says which report', async () => {
    const events: UplinkEvent[] = [];
    const { transport } = scriptedTransport([-1, 202]);
    const uplink = createUplink({ ...base, source: countingSource().source, transport, onEvent: (e) => events.push(e) });
    const report = await uplink.collect();
    expect(await uplink.flush()).toEqual({ sent: 0, dropped: 0, pending: 1 });
    expect(events[0]).toMatchObject({ type: 'retry', id: report!.id, status: 0, reason: 'network: connection refused' });
    await uplink.flush();
    expect(events[1]).toStrictEqual({ type: 'sent', id: report!.id });

    const quiet = createUplink({ ...base, source: countingSource().source, transport: scriptedTransport([422]).transport });
    await quiet.collect();
    expect(await quiet.flush()).toEqual({ sent: 0, dropped: 1, pending: 0 });
  });
});

describe('start(): the uplink on its own timer', () => {
  it('collects closed windows only, every intervalMs × (0.5 + a CSPRNG draw), once however often started, and not after stop()', async () => {
    vi.useFakeTimers();
    // Every random byte 0x80: the draw is 0.502, so each wait is 10,020 ms of the 10 s interval.
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.fill(0x80), randomUUID: () => real.randomUUID() });
    const { source, asked } = countingSource();
    const { transport, sent } = scriptedTransport([202]);
    const uplink = createUplink({ ...base, source, transport, intervalMs: 10_000 });
    uplink.start();
    uplink.start();
    await vi.advanceTimersByTimeAsync(9_900);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(asked).toEqual([false]);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_020);
    expect(asked).toEqual([false, false]);
    uplink.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toEqual([false, false]);
    vi.unstubAllGlobals();
  });

  it('after a failed delivery the next tick comes at the backoff delay, not a whole interval later', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.fill(0x80), randomUUID: () => real.randomUUID() });
    const { transport, sent } = scriptedTransport([503, 202]);
    const uplink = createUplink({ ...base, source: countingSource().source, transport, intervalMs: 60_000, backoff: { baseMs: 20, maxMs: 1000 } });
    uplink.start();
    await vi.advanceTimersByTimeAsync(60_125); // the first tick, at 60,120 ms: refused with 503
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50); // backoff: 0.5 × 20 ms; the refused report goes first, then the new window's
    expect(sent).toHaveLength(3);
    expect(sent[1]).toBe(sent[0]);
    uplink.stop();
    vi.unstubAllGlobals();
  });
});
