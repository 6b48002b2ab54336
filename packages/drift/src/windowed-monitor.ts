import type { Aggregates, CanaryVerdict, Counters, ShadowOutcome, DriftReport, Inspection, ModelObserver, MonitorOptions, MonitorReport, WindowAggregates, WindowDrift } from '@edgewise/core';
import { DEFAULT_WINDOW_MS, assertWindowMs, gridWindowAt, type GridWindow } from '@edgewise/wire';
import { isEmptyBody, subtractBody, type AggregateBody } from './aggregate-arithmetic.js';
import { ByteReader, ByteWriter, SketchFormatError } from './binary.js';
import type { TensorLike } from './feature-extraction.js';
import { PendingPredictions, correctTotal, countLabel, emptyLabelCounts, hasPredictions, labeledTotal, predictionsOf } from './label-tracker.js';
import { DeferredRuns, monotonicMs, type DeferredRun } from './deferred-runs.js';
import { RunSampler } from './run-sampler.js';
import type { LabelCounts } from '@edgewise/wire';
import { mergeSnapshots, ModelMonitor, LEGACY_WINDOWED_SNAPSHOT_VERSION, WINDOWED_SNAPSHOT_VERSION } from './model-monitor.js';
import { ShadowTally } from './shadow-counts.js';
import { addCanaryCounts, addCanaryVerdict, emptyCanaryCounts, isEmptyCanary } from './canary-counts.js';
import type { CanaryCounts } from '@edgewise/wire';

export type Clock = () => number;

/** An inspection left for record(): the inputs, whose features are read later, off the caller's path. */
interface DeferredInspection extends Inspection {
  inputs?: Record<string, TensorLike>;
}
const NOT_YET: Inspection['values'] = new Map();

/** The largest first output (values) whose run gets an automatic id, or is deferred: its argmax is per-run work. */
export const AUTO_RUN_ID_MAX_VALUES = 4096;

/** The first output tensor, without the array Object.values would allocate on every run. */
function firstOutput(outputs: Record<string, TensorLike>): TensorLike | undefined {
  for (const name in outputs) return outputs[name];
  return undefined;
}

/**
 * A model's monitor over time: a ModelMonitor for the open window of the shared grid (tumbling,
 * `windowMs`, default 1 h), which every run updates, and one holding everything before it (closed
 * windows, merged in as they close). The cumulative view (since load) is the two merged when it is
 * read: a run updates one set of sketches, not two, and reads are rare. When the clock passes the
 * window's end the window closes: its counts wait for the uplink (`takeWindows`) and a fresh window
 * begins. The uplink's taking never touches either monitor, so local drift means the same thing
 * whether or not an uplink runs.
 *
 * @example
 * const monitor = new WindowedMonitor({ baseline, features, windowMs: 60_000 });
 * monitor.drift()?.window; // this minute's verdict; the top level is the cumulative one
 */
export class WindowedMonitor implements ModelObserver {
  /** Everything before the open window: closed windows, and cumulative views restored from snapshots. */
  private before: ModelMonitor;
  private current: ModelMonitor;
  private window: GridWindow;
  /** What of the open window the uplink already took (with includeOpen). */
  private taken: AggregateBody | undefined;
  private closed: WindowAggregates[] = [];
  private previous: WindowDrift | undefined;
  /** Closed windows dropped because the uplink did not take them in time. */
  droppedWindows = 0;
  private readonly windowMs: number;
  private readonly pending: PendingPredictions;
  private readonly autoRunIds: boolean;
  private readonly deferred: DeferredRuns;
  /** Which runs are sketched, when `sample` or `cpuBudget` says not all (undefined: every run, at no cost). */
  private readonly sampler: RunSampler | undefined;
  /** A window closed since the last timed batch (see the constructor). */
  private rolledSinceTimed = false;
  private labelsCumulative = emptyLabelCounts();
  private labelsCurrent = emptyLabelCounts();
  private shadowCumulative = new ShadowTally();
  private shadowCurrent = new ShadowTally();
  private canaryCumulative = emptyCanaryCounts();
  private canaryCurrent = emptyCanaryCounts();
  /** The model version the open window's runs ran on (setVersion); labels each window taken. */
  private version: string | undefined;

  constructor(
    readonly options: MonitorOptions = {},
    private readonly clock: Clock = Date.now,
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    assertWindowMs(this.windowMs);
    const max = options.maxClosedWindows ?? 168;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`monitor.maxClosedWindows must be an integer ≥ 1; received ${max}.`);
    this.before = new ModelMonitor(options);
    this.current = new ModelMonitor(options);
    this.window = gridWindowAt(clock(), this.windowMs);
    this.pending = new PendingPredictions(options.labels?.maxAgeMs, options.labels?.maxPending);
    this.autoRunIds = options.labels?.autoRunIds ?? true;
    this.sampler = options.sample !== undefined || options.cpuBudget !== undefined ? new RunSampler(options.sample ?? 1, options.cpuBudget) : undefined;
    const sampler = this.sampler;
    // A batch that closed a window also timed the window's drift and merge: not the monitor's per-run cost.
    const observe = (ms: number, runs: number) => (this.rolledSinceTimed ? (this.rolledSinceTimed = false) : sampler!.observeCost(ms, runs));
    this.deferred = new DeferredRuns((run) => this.applyDeferred(run), sampler?.cpuBudget !== undefined ? observe : undefined);
  }

  get rejects(): boolean {
    return this.before.rejects;
  }
  /** Since load: a sum, read-only (add a moved model's counts with addCounters). */
  get counters(): Counters {
    this.deferred.flush();
    const b = this.before.counters;
    const c = this.current.counters;
    return { runs: b.runs + c.runs, errors: b.errors + c.errors, rejected: b.rejected + c.rejected, fallbacks: b.fallbacks + c.fallbacks };
  }

  /** Counts a model brought from its earlier home (a replaced worker): cumulative only, not this window's. */
  addCounters(counters: Partial<Counters>): void {
    for (const key of Object.keys(this.before.counters) as Array<keyof Counters>) this.before.counters[key] += counters[key] ?? 0;
  }
  /** Since load (or the last reset): everything before the open window merged with it. A new monitor each call. */
  get cumulative(): ModelMonitor {
    this.deferred.flush();
    // Through snapshots, so the view shares no sketch with either part (a feature only a restored
    // snapshot had would otherwise be the same object in both).
    const view = new ModelMonitor(this.options);
    view.restore(this.before.snapshot());
    view.restore(this.current.snapshot());
    return view;
  }
  /** The open window (grid cell) as of the last call. */
  get openWindow(): GridWindow {
    this.deferred.flush();
    return this.window;
  }

  /**
   * Reads features before the run only when a suspicious input must be rejected; otherwise the run
   * is inspected later, in a batch (DeferredRuns), from a copy record() takes.
   */
  inspect(inputs: Record<string, TensorLike>): Inspection {
    if (this.rejects) return this.current.inspect(inputs);
    return { values: NOT_YET, inputs } as DeferredInspection;
  }

  /** Runs recorded whose sketch updates have not been applied yet (diagnostics, tests). */
  get deferredRuns(): number {
    return this.deferred.waiting;
  }

  /**
   * Records a run. Returns the id its prediction is kept under for feedback(): the caller's runId,
   * or one minted here for a classifier's run (first output of at most AUTO_RUN_ID_MAX_VALUES
   * values, so its copy stays cheap) unless `labels.autoRunIds` is false; else undefined.
   */
  record(inspection: Inspection, outputs: Record<string, TensorLike>, latencyMs: number, backend: string, runId?: string): string | undefined {
    if (this.sampler && !this.sampler.take(latencyMs)) return this.passOver(outputs, latencyMs, backend, runId);
    const at = this.clock();
    const first = firstOutput(outputs);
    const small = first !== undefined && first.data.length <= AUTO_RUN_ID_MAX_VALUES;
    const uninspected = (inspection as DeferredInspection).inputs;
    if (uninspected && small) {
      // The common case, kept to copies: the argmax waits for the batch, and a minted id's
      // predictions are filled in when its run is applied.
      let minted = 0;
      if (runId !== undefined) this.pending.remember(runId, predictionsOf(first), at);
      else if (this.autoRunIds && hasPredictions(first)) minted = this.pending.mint(at);
      this.deferred.add(uninspected, this.current.featureInputs, first, latencyMs, backend, at, minted);
      return runId ?? (minted ? this.pending.idOf(minted) : undefined);
    }
    // Large outputs are read now rather than copied; their runs are applied now, in order.
    this.flushAndRoll(at);
    const started = this.sampler?.cpuBudget !== undefined ? monotonicMs() : -1;
    this.current.record(uninspected ? this.current.inspect(uninspected) : inspection, outputs, latencyMs, backend);
    if (started >= 0) this.sampler!.observeCost(monotonicMs() - started, 1);
    if (runId !== undefined) {
      this.pending.remember(runId, predictionsOf(first), at);
      return runId;
    }
    if (!this.autoRunIds || !small || !hasPredictions(first)) return undefined;
    return this.pending.rememberMinted(predictionsOf(first), at);
  }

  /**
   * A run the sampler passed over: counted, its latency and backend sketched (cheap, and exact:
   * a fraction that follows the budget would otherwise weight slow spells more), its inputs and
   * outputs not. A caller-named run keeps its prediction for feedback(), but is not sketched
   * either: apps name the runs that can get a label, rarely a uniform subset.
   */
  private passOver(outputs: Record<string, TensorLike>, latencyMs: number, backend: string, runId: string | undefined): string | undefined {
    const at = this.clock();
    if (at >= this.window.end) this.flushAndRoll(at);
    const current = this.current;
    current.counters.runs++;
    current.latency.update(latencyMs);
    current.backends.update(backend);
    if (runId === undefined) return undefined;
    const first = firstOutput(outputs);
    this.pending.remember(runId, predictionsOf(first), at);
    return runId;
  }

  /** A deferred run, applied in the window it ran in. */
  private applyDeferred(run: DeferredRun): void {
    this.rollTo(run.at);
    if (run.minted) this.pending.fillFrom(run.minted, run.scores);
    this.current.recordRun(run.inputs, run.scores, run.latencyMs, run.backend);
  }

  /** Counts a delayed label into the open window (the window the label arrives in) and the cumulative view. */
  feedback(runId: string, label: number | readonly number[]): boolean {
    this.advance();
    let predictions = this.pending.take(runId, this.clock());
    // A minted run still waiting in the batch has no predictions yet: apply the batch and ask again.
    if (!predictions && this.pending.unfilled(runId)) {
      this.deferred.flush();
      predictions = this.pending.take(runId, this.clock());
    }
    if (!predictions || predictions.length === 0) return false;
    predictions.forEach((prediction, i) => {
      const truth = typeof label === 'number' ? label : label[i];
      if (truth === undefined) return;
      countLabel(this.labelsCumulative, truth, prediction);
      countLabel(this.labelsCurrent, truth, prediction);
    });
    return true;
  }

  /** A shadow candidate's run, counted in the window it finished in (and the cumulative view). */
  recordShadow(outcome: ShadowOutcome): void {
    this.advance();
    this.shadowCumulative.add(outcome);
    this.shadowCurrent.add(outcome);
  }

  /** A canary guard's verdict, counted in the window it was reached in (and the cumulative view). */
  recordCanary(verdict: CanaryVerdict): void {
    this.advance();
    addCanaryVerdict(this.canaryCumulative, verdict);
    addCanaryVerdict(this.canaryCurrent, verdict);
  }

  /**
   * The model version whose runs follow. A change (a canary rolled back) closes the open window's
   * counts so far as the old version's, with `end` now; the rest of the grid cell is the new
   * version's. Local drift's `window` then starts over, and `previousWindow` is the old version's part.
   */
  setVersion(version: string | undefined): void {
    if (version === this.version) return;
    const now = this.clock();
    this.flushAndRoll(now);
    this.closeSegment({ start: this.window.start, end: Math.min(this.window.end, now) });
    this.version = version;
  }

  /** Labelled runs and how many were right: cumulative, and in the open window. */
  accuracy(): { labeled: number; correct: number; expired: number; window: { labeled: number; correct: number } } {
    this.roll();
    const c = this.labelsCumulative;
    const w = this.labelsCurrent;
    return { labeled: labeledTotal(c), correct: correctTotal(c), expired: this.pending.expired, window: { labeled: labeledTotal(w), correct: correctTotal(w) } };
  }

  count(counter: 'errors' | 'rejected' | 'fallbacks'): void {
    this.advance();
    this.current.count(counter);
  }

  drift(): DriftReport | undefined {
    this.roll();
    if (!this.options.baseline) return undefined;
    const cumulative = this.cumulative.drift();
    if (!cumulative) return undefined;
    const window: WindowDrift = { ...this.current.drift()!, start: this.window.start, end: this.window.end, runs: this.current.counters.runs };
    return this.previous ? { ...cumulative, window, previousWindow: this.previous } : { ...cumulative, window };
  }

  report(): MonitorReport {
    this.roll();
    const accuracy = this.accuracy();
    const report: MonitorReport = accuracy.labeled > 0 || accuracy.window.labeled > 0 ? { ...this.cumulative.report(), accuracy } : this.cumulative.report();
    if (!this.shadowCumulative.empty) report.shadow = { ...this.shadowCumulative.summary(), window: this.shadowCurrent.summary() };
    if (this.sampler) report.sampling = { fraction: this.sampler.fraction, sketched: this.sampler.taken, skipped: this.sampler.skipped };
    return report;
  }

  aggregates(): Aggregates {
    this.deferred.flush();
    return withCanary(withShadow(withLabels(this.cumulative.aggregates(), this.labelsCumulative), this.shadowCumulative), this.canaryCumulative);
  }

  takeWindows(includeOpen: boolean): WindowAggregates[] {
    this.roll();
    const out = this.closed;
    this.closed = [];
    if (includeOpen) {
      const now = withCanary(withShadow(withLabels(this.current.aggregates(), this.labelsCurrent), this.shadowCurrent), this.canaryCurrent);
      const gained = subtractBody(now.body, this.taken);
      if (!isEmptyBody(gained)) out.push(withVersion({ window: { start: this.window.start, end: Math.min(this.window.end, this.clock()) }, body: gained, skipped: now.skipped }, this.version));
      this.taken = now.body;
    }
    return out;
  }

  /** Clears everything: both monitors and the windows not yet taken. */
  reset(): void {
    // Labels outlive a reset (as for runs applied before it): waiting runs' minted ids get their predictions.
    this.deferred.clear((run) => run.minted && this.pending.fillFrom(run.minted, run.scores));
    this.before.reset();
    this.current.reset();
    this.taken = undefined;
    this.closed = [];
    this.previous = undefined;
    this.labelsCumulative = emptyLabelCounts();
    this.labelsCurrent = emptyLabelCounts();
    this.shadowCumulative = new ShadowTally();
    this.shadowCurrent = new ShadowTally();
    this.canaryCumulative = emptyCanaryCounts();
    this.canaryCurrent = emptyCanaryCounts();
    this.sampler?.resetCounts();
  }

  /** Applies the deferred runs, then closes the open window if the clock has passed its end: what every reader does first. */
  private roll(): void {
    this.flushAndRoll(this.clock());
  }

  /**
   * What a writer of counts (errors, labels, shadow and canary outcomes) does first: counts add up
   * in any order within a window, so the deferred runs need applying only when the window closes.
   * (Flushing here too would apply the batch at every dropped shadow offer: 7 % of a run.)
   */
  private advance(): void {
    const now = this.clock();
    if (now >= this.window.end) this.flushAndRoll(now);
  }

  private flushAndRoll(now: number): void {
    this.deferred.flush();
    this.rollTo(now);
  }

  /** Closes the open window if `now` has passed its end. */
  private rollTo(now: number): void {
    if (now < this.window.end) return;
    this.closeSegment(this.window);
    this.window = gridWindowAt(now, this.windowMs);
  }

  /** Closes what the open window holds as `window` (the whole cell, or its part before a version change) and starts counting afresh. */
  private closeSegment(window: { start: number; end: number }): void {
    this.rolledSinceTimed = true;
    this.close(window, this.current, this.taken, this.labelsCurrent, this.shadowCurrent, this.canaryCurrent, this.version);
    mergeSnapshots(this.before, this.current);
    this.current = new ModelMonitor(this.options);
    this.labelsCurrent = emptyLabelCounts();
    this.shadowCurrent = new ShadowTally();
    this.canaryCurrent = emptyCanaryCounts();
    this.taken = undefined;
  }

  private close(window: { start: number; end: number }, monitor: ModelMonitor, taken: AggregateBody | undefined, labels: LabelCounts, shadow: ShadowTally, canary: CanaryCounts, version: string | undefined): void {
    const final = withCanary(withShadow(withLabels(monitor.aggregates(), labels), shadow), canary);
    const body = subtractBody(final.body, taken);
    if (monitor.counters.runs > 0) {
      const verdict = monitor.drift();
      if (verdict) this.previous = { ...verdict, start: window.start, end: window.end, runs: monitor.counters.runs };
    }
    if (isEmptyBody(body)) return;
    this.closed.push(withVersion({ window: { start: window.start, end: window.end }, body, skipped: final.skipped }, version));
    const max = this.options.maxClosedWindows ?? 168;
    while (this.closed.length > max) {
      this.closed.shift();
      this.droppedWindows++;
    }
  }

  /** The sketches before the open window and of it, plus the windows not yet taken: survives a move to a fresh worker. */
  snapshot(): Uint8Array {
    this.roll();
    const w = new ByteWriter().u8(WINDOWED_SNAPSHOT_VERSION);
    w.bytes(this.before.snapshot());
    w.f64(this.window.start).f64(this.window.end);
    w.bytes(this.current.snapshot());
    w.string(JSON.stringify({ taken: this.taken ?? null, closed: this.closed, previous: this.previous ?? null, droppedWindows: this.droppedWindows, labels: [this.labelsCumulative, this.labelsCurrent], shadow: [this.shadowCumulative.toJSON(), this.shadowCurrent.toJSON()], canary: [this.canaryCumulative, this.canaryCurrent], version: this.version ?? null }));
    return w.finish();
  }

  /** Adds a snapshot (windowed, or a plain ModelMonitor's) taken from a monitor of the same model. */
  restore(bytes: Uint8Array): void {
    this.deferred.flush();
    const legacy = bytes[0] === LEGACY_WINDOWED_SNAPSHOT_VERSION;
    if (bytes[0] !== WINDOWED_SNAPSHOT_VERSION && !legacy) return this.before.restore(bytes);
    const r = new ByteReader(bytes);
    r.u8();
    // The legacy format's first part is the cumulative view, which holds the saved window too.
    this.before.restore(r.bytes());
    const window = { start: r.f64(), end: r.f64() };
    const current = r.bytes();
    const rest = JSON.parse(r.string()) as { taken: AggregateBody | null; closed: WindowAggregates[]; previous: WindowDrift | null; droppedWindows: number; labels: [LabelCounts, LabelCounts]; shadow?: [ShadowJson, ShadowJson]; canary?: [CanaryCounts, CanaryCounts]; version?: string | null };
    if (!r.done) throw new SketchFormatError('Windowed monitor snapshot has trailing bytes.');
    this.roll();
    this.closed.unshift(...rest.closed);
    this.droppedWindows += rest.droppedWindows;
    this.previous ??= rest.previous ?? undefined;
    addLabels(this.labelsCumulative, rest.labels[0]);
    if (rest.shadow) this.shadowCumulative.merge(rest.shadow[0]);
    const savedShadow = new ShadowTally();
    if (rest.shadow) savedShadow.merge(rest.shadow[1]);
    if (rest.canary) addCanaryCounts(this.canaryCumulative, rest.canary[0]);
    const savedCanary = rest.canary?.[1] ?? emptyCanaryCounts();
    const savedVersion = rest.version ?? undefined;
    if (!legacy && window.start === this.window.start && this.windowMsOf(window) === this.windowMs && savedVersion === this.version) {
      this.current.restore(current);
      addLabels(this.labelsCurrent, rest.labels[1]);
      this.shadowCurrent.merge(savedShadow.toJSON());
      addCanaryCounts(this.canaryCurrent, savedCanary);
      this.taken = rest.taken ?? undefined;
    } else {
      // The saved window has closed since, or holds another version's runs (or, legacy, is already
      // in the cumulative part and cannot be told apart from it): it goes to the uplink as it was,
      // and local drift of this window starts over.
      const saved = new ModelMonitor(this.options);
      saved.restore(current);
      this.close(window, saved, rest.taken ?? undefined, rest.labels[1], savedShadow, savedCanary, savedVersion);
      if (!legacy) mergeSnapshots(this.before, saved);
    }
  }

  private windowMsOf(window: { start: number; end: number }): number {
    return window.end - window.start;
  }
}

function withVersion(window: WindowAggregates, version: string | undefined): WindowAggregates {
  return version === undefined ? window : { ...window, version };
}

/** The body with its label counts, when any label arrived. */
function withLabels(aggregates: Aggregates, labels: LabelCounts): Aggregates {
  if (labeledTotal(labels) === 0) return aggregates;
  return { ...aggregates, body: { ...aggregates.body, labels: structuredClone(labels) } };
}

type ShadowJson = ReturnType<ShadowTally['toJSON']>;

/** The body with its shadow counts, when a shadow candidate ran. */
function withShadow(aggregates: Aggregates, shadow: ShadowTally): Aggregates {
  if (shadow.empty) return aggregates;
  return { ...aggregates, body: { ...aggregates.body, shadow: structuredClone(shadow.counts) } };
}

/** The body with its canary counts, when a canary guard reached a verdict. */
function withCanary(aggregates: Aggregates, canary: CanaryCounts): Aggregates {
  if (isEmptyCanary(canary)) return aggregates;
  return { ...aggregates, body: { ...aggregates.body, canary: structuredClone(canary) } };
}

function addLabels(into: LabelCounts, from: LabelCounts): void {
  for (const [cell, n] of Object.entries(from.confusion)) into.confusion[cell] = (into.confusion[cell] ?? 0) + n;
  for (const key of ['labeled', 'correct'] as const) {
    from[key].counts.forEach((n, i) => (into[key].counts[i]! += n));
    into[key].nan += from[key].nan;
  }
}
