import { reportId } from './report-id.js';
import { REPORT_VERSION, type Report } from '@edgewise/wire';
import { MemoryOutbox, type Outbox } from './outbox.js';
import { protectCounts, type PrivacyOptions } from './privacy.js';
import { classify } from './delivery.js';
import { fetchTransport, type Transport } from './transport.js';

type ReportBody = Omit<Report, 'v' | 'id' | 'model' | 'modelVersion' | 'window' | 'baseline'>;

/**
 * What the uplink needs of a model (Model from @edgewise/core fits). A source with `takeWindows`
 * is read window by window without disturbing what its local drift reads; one with only
 * `aggregates` is read and reset (the older contract).
 */
export interface AggregateSource {
  aggregates(options: { reset: boolean }): Promise<{ body: ReportBody }>;
  takeWindows?(options: { includeOpen: boolean }): Promise<Array<{ window: { start: number; end: number }; body: ReportBody }>>;
}

export type UplinkEvent =
  /** Accepted; `duplicate`: the collector had already counted it (an earlier answer was lost), so it is counted once. */
  | { type: 'sent'; id: string; duplicate?: boolean }
  /** Refused for good (a 4xx other than 408/409/425/429): removed from the outbox. */
  | { type: 'dropped'; id: string; status: number; reason: string }
  /** Not delivered now (network, 408, 425, 429, 5xx): kept, tried again in about inMs. */
  | { type: 'retry'; id: string; inMs: number; reason: string; status: number };

export interface UplinkOptions {
  /** Collector URL of the reports endpoint, e.g. https://collector.example.com/v1/reports. */
  endpoint: string;
  /** Write-only ingest key of the app. */
  ingestKey: string;
  source: AggregateSource;
  model: string;
  modelVersion: string;
  /** SHA-256 of the baseline the feature bins come from. */
  baseline?: string;
  outbox?: Outbox;
  transport?: Transport;
  /** Collect and flush every intervalMs after start() (default 60 s). */
  intervalMs?: number;
  /** Retry backoff: base and cap in ms (default 1 s → 5 min), with full jitter; never sooner than the collector's Retry-After. */
  backoff?: { baseMs: number; maxMs: number };
  privacy?: PrivacyOptions;
  onEvent?: (event: UplinkEvent) => void;
}

/**
 * Reports a model's aggregates to the collector: never inputs, never raw values (see @edgewise/wire).
 * Reports wait in the outbox until the collector acknowledges them; each has a random id so that a
 * delivery retried after a lost acknowledgement is not counted twice.
 *
 * @example
 * const uplink = createUplink({ endpoint, ingestKey, source: model, model: 'mnist', modelVersion: '1.1.0', outbox: new IndexedDBOutbox() });
 * uplink.start();
 */
export class Uplink {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private retryAfterMs = 0;
  /** The delay the last retry event announced, so start() waits exactly that. */
  private plannedDelayMs = 0;
  private windowStart = Date.now();
  private readonly outbox: Outbox;
  private readonly transport: Transport;

  constructor(private readonly options: UplinkOptions) {
    if (!/^https?:\/\//.test(options.endpoint)) throw new TypeError(`Uplink: "endpoint" must be an http(s) URL; received ${JSON.stringify(options.endpoint)}.`);
    if (!options.ingestKey) throw new TypeError('Uplink: "ingestKey" is required.');
    this.outbox = options.outbox ?? new MemoryOutbox();
    this.transport = options.transport ?? fetchTransport;
  }

  /**
   * Takes what the model counted since the last collect into the outbox: one report per window of
   * the grid that closed since, plus (with `includeOpen`, the default for a call by hand) what the
   * open window gained so far. The model's local drift is untouched. Returns the newest report.
   * The timer of start() takes closed windows only.
   */
  async collect(options: { includeOpen?: boolean } = {}): Promise<Report | undefined> {
    const reports = await this.collectWindows(options.includeOpen ?? true);
    return reports[reports.length - 1];
  }

  /** As collect(), returning every report it added. */
  async collectWindows(includeOpen: boolean): Promise<Report[]> {
    const source = this.options.source;
    let parts: Array<{ window: { start: number; end: number }; body: ReportBody }>;
    if (source.takeWindows) {
      parts = await source.takeWindows({ includeOpen });
    } else {
      const { body } = await source.aggregates({ reset: true });
      const end = Date.now();
      parts = [{ window: { start: this.windowStart, end }, body }];
      this.windowStart = end;
    }
    const reports: Report[] = [];
    for (const { window, body } of parts) {
      if (body.counters.runs === 0 && body.counters.rejected === 0 && body.counters.errors === 0) continue;
      let report: Report = { v: REPORT_VERSION, id: reportId(), model: this.options.model, modelVersion: this.options.modelVersion, window, ...body };
      if (this.options.baseline) report.baseline = this.options.baseline;
      if (this.options.privacy) report = protectCounts(report, this.options.privacy);
      await this.outbox.add(report);
      reports.push(report);
    }
    return reports;
  }

  /**
   * Sends what the outbox holds, oldest first. Stops at the first retryable failure (network, 408,
   * 425, 429, 5xx) and keeps the rest; a 409 means the collector counted that report already, so
   * it leaves the outbox as sent; a report refused for good (other 4xx) is dropped, since sending
   * it again cannot succeed. See delivery.ts.
   */
  async flush(): Promise<{ sent: number; dropped: number; pending: number }> {
    let [sent, dropped] = [0, 0];
    const reports = await this.outbox.list();
    for (const [i, report] of reports.entries()) {
      let delivery: ReturnType<typeof classify>;
      let status = 0;
      try {
        const response = await this.transport.send(this.options.endpoint, JSON.stringify(report), {
          'content-type': 'application/json',
          authorization: `Bearer ${this.options.ingestKey}`,
        });
        status = response.status;
        delivery = classify(response);
      } catch (error) {
        delivery = { kind: 'retry', reason: `network: ${(error as Error).message}` };
      }
      if (delivery.kind === 'delivered') {
        await this.outbox.remove(report.id);
        this.options.onEvent?.(delivery.duplicate ? { type: 'sent', id: report.id, duplicate: true } : { type: 'sent', id: report.id });
        sent++;
        this.failures = 0;
        this.retryAfterMs = 0;
      } else if (delivery.kind === 'drop') {
        await this.outbox.remove(report.id);
        this.options.onEvent?.({ type: 'dropped', id: report.id, status, reason: delivery.reason });
        dropped++;
      } else {
        this.failures++;
        this.retryAfterMs = delivery.retryAfterMs ?? 0;
        this.plannedDelayMs = this.nextDelay();
        this.options.onEvent?.({ type: 'retry', id: report.id, inMs: this.plannedDelayMs, reason: delivery.reason, status });
        return { sent, dropped, pending: reports.length - i };
      }
    }
    return { sent, dropped, pending: 0 };
  }

  /** Collects and flushes every intervalMs; after failures, retries sooner or later by backoff. */
  start(): void {
    if (this.timer) return;
    const tick = async () => {
      await this.collectWindows(false).catch(() => undefined);
      await this.flush().catch(() => undefined);
      this.timer = setTimeout(tick, this.failures > 0 ? this.plannedDelayMs : (this.options.intervalMs ?? 60_000));
    };
    this.timer = setTimeout(tick, this.options.intervalMs ?? 60_000);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Exponential backoff with full jitter (AWS architecture blog's recipe), at least the last Retry-After. */
  nextDelay(): number {
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1000, maxMs: 300_000 };
    return Math.max(this.retryAfterMs, Math.random() * Math.min(maxMs, baseMs * 2 ** Math.max(0, this.failures - 1)));
  }
}

export const createUplink = (options: UplinkOptions) => new Uplink(options);
