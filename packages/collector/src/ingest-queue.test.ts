import { describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { CollectorError, DatabaseUnavailableError } from './errors.js';
import { IngestQueue } from './ingest-queue.js';
import type { WriteOutcome } from './ingest-writer.js';
import type { RateLimit } from './rate-limit.js';
import type { ReportAdditions } from './report-check.js';

/**
 * The group-commit queue's rules, with the database and the rate budget replaced by scripted
 * fakes (pure logic: batching, ids, the 429 split, isolation of a bad report, outages). The real
 * writer and budget run against PGlite and PostgreSQL in the collector suites.
 */
const additions = (id: string, app = 'a'): ReportAdditions => ({ app, id, model: 'm', version: '1', windowStart: 0, windowMs: 3_600_000, runs: 1, errors: 0, rejected: 0, fallbacks: 0, featureLayout: '', counts: {} }) as ReportAdditions;
const db = {} as Database;
const unlimited = { take: async (wanted: ReadonlyMap<string, number>) => ({ admitted: new Map(wanted), retryAfterSeconds: 7 }) } as unknown as RateLimit;

/** A writer that records each batch's ids and answers from `outcome` (or throws what it returns). */
function scriptedWriter(outcome: (ids: string[]) => WriteOutcome[] | Error = (ids) => ids.map(() => 'stored')) {
  const batches: string[][] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const write = async (_db: Database, batch: readonly ReportAdditions[]) => {
    const ids = batch.map((b) => b.id);
    batches.push(ids);
    if (gate) await gate;
    const result = outcome(ids);
    if (result instanceof Error) throw result;
    return result;
  };
  return {
    write,
    batches,
    hold: () => void (gate = new Promise<void>((r) => (release = r))),
    open: () => {
      gate = undefined;
      release?.();
    },
  };
}

describe('IngestQueue (group commit)', () => {
  it('writes an idle queue\'s report at once, then everything that queued meanwhile in one batch of at most maxBatch', async () => {
    const writer = scriptedWriter();
    const stored: number[] = [];
    const queue = new IngestQueue(db, unlimited, { maxBatch: 3, concurrency: 1, onStored: (n) => stored.push(n) }, writer.write);
    writer.hold();
    const first = queue.submit(additions('r0'));
    const rest = ['r1', 'r2', 'r3', 'r4'].map((id) => queue.submit(additions(id)));
    writer.open();
    expect(await Promise.all([first, ...rest])).toEqual(Array(5).fill({ status: 'stored' }));
    expect(writer.batches).toEqual([['r0'], ['r1', 'r2', 'r3'], ['r4']]);
    expect(stored).toEqual([1, 3, 1]);
    await queue.drained();
  });

  it('runs up to `concurrency` batches at once', async () => {
    const writer = scriptedWriter();
    const queue = new IngestQueue(db, unlimited, { maxBatch: 10, concurrency: 2 }, writer.write);
    writer.hold();
    const answers = ['r0', 'r1', 'r2', 'r3'].map((id) => queue.submit(additions(id)));
    await new Promise((r) => setTimeout(r, 0));
    expect(writer.batches).toEqual([['r0'], ['r1']]);
    writer.open();
    await Promise.all(answers);
    expect(writer.batches).toEqual([['r0'], ['r1'], ['r2', 'r3']]);
  });

  it('keeps a second copy of an id (per app) out of the batch, for the next one to answer', async () => {
    // The database answers the resend (alone in its batch) as a duplicate.
    const writer = scriptedWriter((ids) => ids.map(() => (ids.length === 1 && ids[0] === 'same' ? 'duplicate' : 'stored')));
    const queue = new IngestQueue(db, unlimited, { maxBatch: 10, concurrency: 1 }, writer.write);
    writer.hold();
    const head = queue.submit(additions('head'));
    const answers = [queue.submit(additions('same')), queue.submit(additions('same', 'other-app')), queue.submit(additions('same'))];
    writer.open();
    await head;
    expect(await Promise.all(answers)).toEqual([{ status: 'stored' }, { status: 'stored' }, { status: 'duplicate' }]);
    expect(writer.batches).toEqual([['head'], ['same', 'same'], ['same']]);
  });

  it('answers reports beyond an app\'s rate budget 429 with the budget\'s Retry-After, and writes the rest', async () => {
    const writer = scriptedWriter();
    const rate = { take: async () => ({ admitted: new Map([['a', 1]]), retryAfterSeconds: 42 }) } as unknown as RateLimit;
    const queue = new IngestQueue(db, rate, { maxBatch: 10, concurrency: 1 }, writer.write);
    writer.hold();
    const head = queue.submit(additions('head', 'b'));
    const answers = [queue.submit(additions('x')), queue.submit(additions('y')), queue.submit(additions('z', 'b'))];
    writer.open();
    expect(await head).toEqual({ status: 'rate-limited', retryAfterSeconds: 42 });
    expect(await Promise.all(answers)).toEqual([{ status: 'stored' }, { status: 'rate-limited', retryAfterSeconds: 42 }, { status: 'rate-limited', retryAfterSeconds: 42 }]);
    expect(writer.batches).toEqual([['x']]);
  });

  it('a budget that cannot be read fails the batch as the database being unavailable', async () => {
    const rate = { take: async () => Promise.reject(new Error('connection reset')) } as unknown as RateLimit;
    const queue = new IngestQueue(db, rate, { maxBatch: 10, concurrency: 1 }, scriptedWriter().write);
    const error = await queue.submit(additions('r')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toBe('database unavailable: connection reset');
    const typed = new CollectorError('E_DATABASE_UNAVAILABLE', 'already typed');
    const passing = new IngestQueue(db, { take: async () => Promise.reject(typed) } as unknown as RateLimit, { maxBatch: 10, concurrency: 1 }, scriptedWriter().write);
    await expect(passing.submit(additions('r'))).rejects.toBe(typed);
  });

  it('a batch failing for a reason the checks did not foresee is written report by report, so only the bad one fails', async () => {
    const bad = Object.assign(new Error('value out of range'), { sqlState: '22003' });
    const writer = scriptedWriter((ids) => (ids.length > 1 || ids[0] === 'bad' ? bad : ['stored']));
    const stored: number[] = [];
    const queue = new IngestQueue(db, unlimited, { maxBatch: 10, concurrency: 1, onStored: (n) => stored.push(n) }, writer.write);
    writer.hold();
    const head = queue.submit(additions('head'));
    const answers = ['ok1', 'bad', 'ok2'].map((id) => queue.submit(additions(id)).catch((e: unknown) => e));
    writer.open();
    await head;
    const [ok1, failed, ok2] = await Promise.all(answers);
    expect([ok1, ok2]).toEqual([{ status: 'stored' }, { status: 'stored' }]);
    expect(failed).toBeInstanceOf(DatabaseUnavailableError);
    expect((failed as Error).message).toBe('database unavailable: value out of range');
    expect(writer.batches).toEqual([['head'], ['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
    expect(stored).toEqual([1, 1, 1]);
  });

  it('an outage (SQLSTATE 08, 53, 57 or none) fails the whole batch without retrying report by report', async () => {
    for (const sqlState of ['08006', '53300', '57P01', undefined]) {
      const outage = Object.assign(new Error(`down ${sqlState}`), { sqlState });
      const writer = scriptedWriter((ids) => (ids.length > 1 ? outage : ['stored']));
      const queue = new IngestQueue(db, unlimited, { maxBatch: 10, concurrency: 1 }, writer.write);
      writer.hold();
      const head = queue.submit(additions('head'));
      const answers = ['a', 'b'].map((id) => queue.submit(additions(id)).catch((e: unknown) => (e as Error).message));
      writer.open();
      await head;
      expect(await Promise.all(answers), String(sqlState)).toEqual([`database unavailable: down ${sqlState}`, `database unavailable: down ${sqlState}`]);
      expect(writer.batches, String(sqlState)).toEqual([['head'], ['a', 'b']]);
    }
  });

  it('drained() waits for queued and running batches', async () => {
    const writer = scriptedWriter();
    const queue = new IngestQueue(db, unlimited, { maxBatch: 10, concurrency: 1 }, writer.write);
    await queue.drained(); // nothing queued: at once
    writer.hold();
    const answer = queue.submit(additions('r'));
    let drained = false;
    const done = queue.drained().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    writer.open();
    await Promise.all([answer, done]);
    expect(drained).toBe(true);
  });
});
