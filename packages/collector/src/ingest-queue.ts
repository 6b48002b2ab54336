import type { Database } from './database.js';
import { DatabaseUnavailableError, CollectorError } from './errors.js';
import { writeAdditions, type WriteOutcome } from './ingest-writer.js';
import type { RateLimit } from './rate-limit.js';
import type { ReportAdditions } from './report-check.js';

export type IngestOutcome = { status: 'stored' } | { status: 'duplicate' } | { status: 'token-reused' } | { status: 'rate-limited'; retryAfterSeconds: number };

interface Pending {
  additions: ReportAdditions;
  resolve(outcome: IngestOutcome): void;
  reject(error: CollectorError): void;
}

export interface IngestQueueOptions {
  maxBatch: number;
  concurrency: number;
  /** Called with the number of reports each committed batch stored (the rollup counts them). */
  onStored?: (n: number) => void;
}

/** Connection-level failures (SQLSTATE classes 08, 53, 57, or no SQLSTATE at all): retrying report by report would only fail again. */
const outage = (error: unknown) => {
  const state = (error as DatabaseUnavailableError).sqlState;
  return state === undefined || /^(08|53|57)/.test(state);
};

/**
 * Group commit: reports wait while `concurrency` batches are being written, and the next batch
 * takes all of them (up to maxBatch) in one statement. An idle collector writes each report at
 * once; a busy one amortizes each commit over many reports. Each caller is answered only after
 * its batch committed. Reports are checked before they queue, so one bad report cannot fail a
 * batch; if a batch fails for a reason other than an outage, its reports are written one by one.
 */
export class IngestQueue {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly db: Database,
    private readonly rate: RateLimit,
    private readonly options: IngestQueueOptions,
    private readonly write: typeof writeAdditions = writeAdditions,
  ) {}

  submit(additions: ReportAdditions): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ additions, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or being written (for a clean shutdown). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  /** Up to maxBatch reports, ids distinct: a second copy of an id waits for the next batch (and its 409). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const ids = new Set<string>();
    for (const p of this.queue) {
      const id = `${p.additions.app}\u0000${p.additions.id}`;
      if (batch.length >= this.options.maxBatch || ids.has(id)) rest.push(p);
      else {
        ids.add(id);
        batch.push(p);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    let admitted: Pending[];
    try {
      admitted = await this.admit(batch);
    } catch (error) {
      for (const p of batch) p.reject(asCollectorError(error));
      return;
    }
    if (admitted.length === 0) return;
    try {
      settle(admitted, await this.write(this.db, admitted.map((p) => p.additions)), this.options.onStored);
    } catch (error) {
      if (admitted.length === 1 || outage(error)) {
        for (const p of admitted) p.reject(asCollectorError(error));
        return;
      }
      // Something in the batch the checks did not foresee: isolate it.
      for (const p of admitted) {
        try {
          settle([p], await this.write(this.db, [p.additions]), this.options.onStored);
        } catch (single) {
          p.reject(asCollectorError(single));
        }
      }
    }
  }

  /** Takes the batch from each app's rate budget; answers 429 to the reports beyond it. */
  private async admit(batch: Pending[]): Promise<Pending[]> {
    const wanted = new Map<string, number>();
    for (const p of batch) wanted.set(p.additions.app, (wanted.get(p.additions.app) ?? 0) + 1);
    const { admitted, retryAfterSeconds } = await this.rate.take(wanted);
    const out: Pending[] = [];
    for (const p of batch) {
      const left = admitted.get(p.additions.app) ?? 0;
      if (left > 0) {
        admitted.set(p.additions.app, left - 1);
        out.push(p);
      } else p.resolve({ status: 'rate-limited', retryAfterSeconds });
    }
    return out;
  }
}

function settle(batch: Pending[], outcomes: WriteOutcome[], onStored?: (n: number) => void): void {
  onStored?.(outcomes.filter((o) => o === 'stored').length);
  batch.forEach((p, i) => p.resolve({ status: outcomes[i]! }));
}

const asCollectorError = (error: unknown): CollectorError =>
  error instanceof CollectorError ? error : new DatabaseUnavailableError(`database unavailable: ${(error as Error)?.message ?? String(error)}`, { cause: error });
