import { reportId } from './report-id.js';
import { ENVELOPE_FIELDS, DEFAULT_DAILY_EPSILON, DEFAULT_EPSILON_PER_WINDOW, DEFAULT_PRIVACY_RULES, DEFAULT_WINDOW_MS, gridWindowAt, REPORT_VERSION, type PrivacyRules, type Report } from '@edgewise/wire';
import { MemoryOutbox, type Outbox } from './outbox.js';
import { addBodies, checkBaselinePrivacy, protectCounts, type PrivacyOptions, type ReportBody } from './privacy.js';
import { localStorageOrUndefined, PrivacyLedger } from './privacy-budget.js';
import { randomUnit, windowToken } from './random-bytes.js';
import { classify } from './delivery.js';
import { fetchTransport, type Transport } from './transport.js';

/**
 * What the uplink needs of a model (Model from @edgewise/core fits). A source with `takeWindows`
 * is read window by window without disturbing what its local drift reads; one with only
 * `aggregates` is read and reset (the older contract).
 */
export interface AggregateSource {
  aggregates(options: { reset: boolean }): Promise<{ body: ReportBody }>;
  /** `version`: the model version the window's runs ran on, where the source knows it (a canary rolled back mid-window splits it). */
  takeWindows?(options: { includeOpen: boolean }): Promise<Array<{ window: { start: number; end: number }; body: ReportBody; version?: string }>>;
}

/** One window's counts as the uplink takes them, with the model version they are reported under. */
interface Part {
  window: { start: number; end: number };
  body: ReportBody;
  version: string;
}

export type UplinkEvent =
  /** Accepted; `duplicate`: the collector had already counted it (an earlier answer was lost), so it is counted once. */
  | { type: 'sent'; id: string; duplicate?: boolean }
  /** Refused for good (a 4xx other than 408/409/425/429): removed from the outbox. */
  | { type: 'dropped'; id: string; status: number; reason: string }
  /** Not delivered now (network, 408, 425, 429, 5xx): kept, tried again in about inMs. */
  | { type: 'retry'; id: string; inMs: number; reason: string; status: number }
  /** Nothing queued for this window (for the runs of `modelVersion`): too few runs yet (they roll into the next), already reported, or the day's ε budget is spent. */
  | { type: 'held'; reason: 'min-runs' | 'window-reported' | 'budget-spent'; runs: number; modelVersion: string };

export interface UplinkOptions {
  /** Collector URL of the reports endpoint, e.g. https://collector.example.com/v1/reports. */
  endpoint: string;
  /** Write-only ingest key of the app. */
  ingestKey: string;
  source: AggregateSource;
  model: string;
  /**
   * The version reported for runs whose window does not name one. A model's windows do (the
   * version loaded, or after a canary rollback the previous one), and theirs is used: a report
   * always names the version that made its predictions.
   */
  modelVersion: string;
  /** SHA-256 of the baseline the feature bins come from. */
  baseline?: string;
  outbox?: Outbox;
  transport?: Transport;
  /** Collect and flush about every intervalMs after start() (default 60 s; each wait drawn from 0.5–1.5 × intervalMs). */
  intervalMs?: number;
  /** Retry backoff: base and cap in ms (default 1 s → 5 min), with full jitter; never sooner than the collector's Retry-After. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Device-side privacy (README "Privacy"), on by default: at most one report per grid window,
   * only once it holds minRunsPerReport runs, every count group bounded, categories folded, a
   * fresh random token per window, and a daily ε budget. `false` turns it all off and sends a
   * report per collect(): only for a collector whose privacy is off too (development, tests).
   */
  privacy?: PrivacyOptions | false;
  /** The clock (ms since the epoch); tests pass their own. */
  now?: () => number;
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
  private readonly rules: PrivacyRules | undefined;
  private readonly ledger: PrivacyLedger | undefined;
  /** Runs not reported yet, per model version (a window below minRunsPerReport rolls into the next). Memory only. */
  private readonly carry = new Map<string, ReportBody>();

  constructor(private readonly options: UplinkOptions) {
    if (!/^https?:\/\//.test(options.endpoint)) throw new TypeError(`Uplink: "endpoint" must be an http(s) URL; received ${JSON.stringify(options.endpoint)}.`);
    if (!options.ingestKey) throw new TypeError('Uplink: "ingestKey" is required.');
    this.outbox = options.outbox ?? new MemoryOutbox();
    this.transport = options.transport ?? fetchTransport;
    if (options.privacy !== false) {
      const p = options.privacy ?? {};
      this.rules = { ...DEFAULT_PRIVACY_RULES, ...definedOnly(p) };
      for (const [name, v] of Object.entries(this.rules)) {
        if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`Uplink: privacy.${name} must be an integer ≥ 1; received ${v}.`);
      }
      if (p.baseline) checkBaselinePrivacy(p.baseline, this.rules);
      // Default: the page's localStorage where there is one (one key per model version, as the
      // budget is per uplink), else memory; a reload must not report a window twice.
      this.ledger = p.ledger ?? new PrivacyLedger(localStorageOrUndefined(), `edgewise-privacy-ledger:${options.model}@${options.modelVersion}`);
    }
  }

  /**
   * Takes what the model counted since the last collect. The source's windows (a model's
   * takeWindows(): closed grid windows, plus with `includeOpen`, the default for a call by hand,
   * what the open window gained so far) leave the model's local drift untouched; a source without
   * windows hands its aggregates and resets them. Returns the newest report queued.
   *
   * Privacy off: one report per window taken. Privacy on (the default): what was taken joins what
   * is not reported yet, and a report for the current grid window is queued only when that holds
   * minRunsPerReport runs, this window has no report yet, and the day's ε budget allows; otherwise
   * nothing is queued and the runs roll over. The timer of start() takes closed windows only.
   */
  async collect(options: { includeOpen?: boolean } = {}): Promise<Report | undefined> {
    const reports = await this.collectWindows(options.includeOpen ?? true);
    return reports[reports.length - 1];
  }

  /** As collect(), returning every report it queued. */
  async collectWindows(includeOpen: boolean): Promise<Report[]> {
    const now = this.options.now?.() ?? Date.now();
    const parts = await this.takeParts(includeOpen, now);
    const reports: Report[] = [];
    if (!this.rules || !this.ledger) {
      for (const { window, body, version } of parts) {
        if (body.counters.runs === 0 && body.counters.rejected === 0 && body.counters.errors === 0) continue;
        const report: Report = { ...this.envelope(version), id: reportId(), window, ...body };
        if (this.options.baseline) report.baseline = this.options.baseline;
        await this.outbox.add(report);
        reports.push(report);
      }
      return reports;
    }
    for (const { body, version } of parts) {
      const carried = this.carry.get(version);
      this.carry.set(version, carried ? addBodies(carried, body) : structuredClone(body));
    }
    for (const [version, carried] of this.carry) {
      const report = await this.protectedReport(version, carried, now, this.rules, this.ledger);
      if (report) reports.push(report);
    }
    return reports;
  }

  private envelope(modelVersion: string) {
    return { v: REPORT_VERSION, model: this.options.model, modelVersion } as const;
  }

  /**
   * Privacy on: the report of one version's carried runs for the current grid window, queued, or
   * nothing (held). Each version has its own window (a device that ran a canary and then its
   * previous version in one hour reports each once); the day's ε budget is the device's, shared.
   */
  private async protectedReport(version: string, carried: ReportBody, now: number, rules: PrivacyRules, ledger: PrivacyLedger): Promise<Report | undefined> {
    const privacy = (this.options.privacy || {}) as PrivacyOptions;
    const runs = carried.counters.runs;
    const held = (reason: 'min-runs' | 'window-reported' | 'budget-spent') => {
      this.options.onEvent?.({ type: 'held', reason, runs, modelVersion: version });
      return undefined;
    };
    if (runs < rules.minRunsPerReport) return held('min-runs');
    const window = gridWindowAt(now, privacy.windowMs ?? DEFAULT_WINDOW_MS);
    // The configured version's windows keep their plain key, as ledgers written before versions were told apart have them.
    const series = version === this.options.modelVersion ? undefined : version;
    if (await ledger.windowReported(window.start, series)) return held('window-reported');
    const epsilon = privacy.epsilonPerWindow ?? DEFAULT_EPSILON_PER_WINDOW;
    if ((await ledger.spentOn(window.start)) + epsilon > (privacy.dailyEpsilon ?? DEFAULT_DAILY_EPSILON) + 1e-9) return held('budget-spent');
    const protectedBody = protectCounts(carried, { ...rules, ...(privacy.baseline ? { baseline: privacy.baseline } : {}) });
    const report: Report = { ...this.envelope(version), id: reportId(), window, token: windowToken(), ...protectedBody };
    if (this.options.baseline) report.baseline = this.options.baseline;
    // Spent before queueing: a crash between the two loses a report, never double-spends.
    await ledger.spend(window.start, epsilon, series);
    await this.outbox.add(report);
    this.carry.delete(version);
    return report;
  }

  /** The source's windows, or (a source without windows) its aggregates since the last collect, reset. */
  private async takeParts(includeOpen: boolean, now: number): Promise<Part[]> {
    const source = this.options.source;
    const fallback = this.options.modelVersion;
    if (source.takeWindows) return (await source.takeWindows({ includeOpen })).map(({ window, body, version }) => ({ window, body: withoutEnvelope(body), version: version ?? fallback }));
    const body = withoutEnvelope((await source.aggregates({ reset: true })).body);
    const start = this.windowStart;
    this.windowStart = now;
    return [{ window: { start, end: now }, body, version: fallback }];
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
      this.timer = setTimeout(tick, this.failures > 0 ? this.plannedDelayMs : this.tickDelay());
    };
    this.timer = setTimeout(tick, this.tickDelay());
  }

  /**
   * intervalMs × [0.5, 1.5), CSPRNG: a fixed period would give a device's POSTs the same phase in
   * every window (start time mod intervalMs), which links its reports by arrival time.
   */
  private tickDelay(): number {
    return (this.options.intervalMs ?? 60_000) * (0.5 + randomUnit());
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

/** The body alone: whatever a source hands over, the uplink sets the envelope (ids, window, token) itself. */
function withoutEnvelope<T extends object>(body: T): ReportBody {
  const out = { ...body } as Record<string, unknown>;
  for (const k of ENVELOPE_FIELDS) delete out[k];
  return out as unknown as ReportBody;
}

const definedOnly = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in DEFAULT_PRIVACY_RULES)) as Partial<PrivacyRules>;

export const createUplink = (options: UplinkOptions) => new Uplink(options);
