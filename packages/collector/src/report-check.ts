import { BACKEND_NAMES, OTHER_KEY, type BinnedCounts, type Report } from '@edgewise/wire';
import type { RegisteredBaseline } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import { ReportInvalidError, ReportRefusedError } from './errors.js';
import { checkPrivacy } from './privacy-check.js';
import { EXTRA_KEYS, SERIES } from './series.js';

/** series → key → count, in null-prototype objects (keys come from devices); zero counts left out. */
export type SeriesObject = Record<string, Record<string, number>>;

/** What one accepted report adds to its window, and what of it was not counted. */
export interface ReportAdditions {
  app: string;
  id: string;
  model: string;
  version: string;
  windowStart: number;
  windowMs: number;
  runs: number;
  errors: number;
  rejected: number;
  fallbacks: number;
  /** Hash of the baseline layout the feature series were checked against ('' without features). */
  featureLayout: string;
  /** The report's window token (privacy on): one device, one window. */
  token?: string;
  counts: SeriesObject;
  /** Features left out (no baseline, or not in it), for the 202 answer. */
  ignored: Array<{ feature: string; reason: string }>;
}

export type CheckLimits = Pick<CollectorConfig, 'windowMs' | 'retentionMs' | 'maxRunsPerReport' | 'maxItemsPerRun' | 'maxClockSkewMs' | 'maxClasses'> & Partial<Pick<CollectorConfig, 'privacy'>>;

const KNOWN_BACKENDS: ReadonlySet<string> = new Set(BACKEND_NAMES);
const CLASS_INDEX = /^(0|[1-9][0-9]{0,8})$/;

const sum = (xs: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};
const sumValues = (m: Record<string, number>) => {
  let s = 0;
  for (const k in m) s += m[k]!;
  return s;
};
/** Bin indices as series keys, made once rather than per count of every report. */
const BIN_KEYS = Array.from({ length: 1002 }, (_, i) => String(i));

/**
 * Checks a schema-valid report against the collector's rules and the registered baseline, and
 * turns it into counts to add. Throws ReportInvalidError (400) for class keys that are not class
 * indices, and ReportRefusedError (422) for what can never be counted: counts beyond what `runs`
 * allows, a layout that is not the baseline's, a window outside retention. Pure: nothing is read
 * or written here.
 */
export function checkReport(report: Report, app: string, registered: RegisteredBaseline | undefined, limits: CheckLimits, now: number): ReportAdditions {
  // Malformed first (400), then the rules (422): a report that is both gets the 400.
  for (const name of Object.keys(report.topClasses)) {
    if (name !== OTHER_KEY && !CLASS_INDEX.test(name)) throw new ReportInvalidError(`topClasses.${JSON.stringify(name)}: class keys are class indices (0, 1, 2, …)`);
  }
  const { windowMs } = limits;
  const privacy = limits.privacy || undefined;
  if (privacy) checkPrivacy(report, privacy, windowMs, now);
  // A private report covers exactly one grid cell. Otherwise the window holding the report's last
  // instant: windows are half-open, so a device window of the grid, [start, end), belongs to the
  // cell that holds end − 1, not to the one that begins at end.
  const windowStart = privacy ? report.window.start : Math.floor(Math.max(report.window.start, report.window.end - 1) / windowMs) * windowMs;
  if (report.window.end > now + limits.maxClockSkewMs) {
    throw new ReportRefusedError(`window.end: ${new Date(report.window.end).toISOString()} is more than ${limits.maxClockSkewMs} ms in the future`);
  }
  if (windowStart < now - limits.retentionMs) {
    throw new ReportRefusedError(`window.end: ${new Date(report.window.end).toISOString()} falls in a window older than the retention (${limits.retentionMs} ms); it would be deleted`);
  }
  const { runs, errors, rejected, fallbacks } = report.counters;
  for (const [name, value] of Object.entries(report.counters)) {
    if (value > limits.maxRunsPerReport) throw new ReportRefusedError(`counters.${name}: ${value} exceeds ${limits.maxRunsPerReport} per report (COLLECTOR_MAX_RUNS_PER_REPORT)`);
  }
  // Per run: one latency and one backend; per batch item: one value of each feature, one confidence, one class.
  const items = runs * limits.maxItemsPerRun;
  // With privacy on, every count group is bounded absolutely (checkPrivacy), and bounding a device's
  // counters and its series separately breaks the per-run ratios, so those are not checked.
  const atMost = (field: string, value: number, bound: number, what: string) => {
    if (!privacy && value > bound) throw new ReportRefusedError(`${field}: ${value} counted, more than ${what} (${bound})`);
  };
  const perRun = `counters.runs`;
  const perItem = `counters.runs × ${limits.maxItemsPerRun} items per run (COLLECTOR_MAX_ITEMS_PER_RUN)`;

  const counts: SeriesObject = Object.create(null);
  const add = (series: string, key: string, count: number) => {
    if (count <= 0) return;
    const keys = (counts[series] ??= Object.create(null) as Record<string, number>);
    keys[key] = (keys[key] ?? 0) + count;
  };
  const binned = (series: string, extraSeries: string, field: string, b: BinnedCounts, bound: number, what: string) => {
    atMost(field, sum(b.counts) + b.missing + b.nan, bound, what);
    atMost(`${field}.belowRange`, b.belowRange, bound, what);
    atMost(`${field}.aboveRange`, b.aboveRange, bound, what);
    for (let i = 0; i < b.counts.length; i++) add(series, BIN_KEYS[i]!, b.counts[i]!);
    for (const k of EXTRA_KEYS) add(extraSeries, k, b[k]);
  };

  binned(SERIES.latency, SERIES.latencyExtra, 'latencyMs', report.latencyMs, runs, perRun);
  binned(SERIES.confidence, SERIES.confidenceExtra, 'confidence', report.confidence, items, perItem);

  atMost('backends', sumValues(report.backends), runs, perRun);
  const backends = new Map<string, number>();
  for (const [name, c] of Object.entries(report.backends)) {
    const key = KNOWN_BACKENDS.has(name) ? name : OTHER_KEY;
    backends.set(key, (backends.get(key) ?? 0) + c);
  }
  for (const [key, c] of backends) add(SERIES.backends, key, c);

  atMost('topClasses', sumValues(report.topClasses), items, perItem);
  const classes = new Map<string, number>();
  for (const [name, c] of Object.entries(report.topClasses)) {
    // "__other__" is NaN as a number, so it stays itself.
    const key = Number(name) < limits.maxClasses ? name : OTHER_KEY;
    classes.set(key, (classes.get(key) ?? 0) + c);
  }
  for (const [key, c] of classes) add(SERIES.classes, key, c);

  if (report.labels) {
    // Labels may arrive for runs of earlier windows, so they are bounded per report, not by this window's runs.
    const bound = limits.maxRunsPerReport * limits.maxItemsPerRun;
    const what = 'COLLECTOR_MAX_RUNS_PER_REPORT × COLLECTOR_MAX_ITEMS_PER_RUN';
    const { confusion, labeled, correct } = report.labels;
    atMost('labels.confusion', sumValues(confusion), bound, what);
    binned(SERIES.labeled, `${SERIES.labeled}-extra`, 'labels.labeled', labeled, bound, what);
    labeled.counts.forEach((n, i) => atMost(`labels.correct.counts.${i}`, correct.counts[i]!, n, `labels.labeled.counts.${i}`));
    binned(SERIES.correct, `${SERIES.correct}-extra`, 'labels.correct', correct, bound, what);
    for (const [cell, c] of Object.entries(confusion)) {
      const [label, predicted] = cell.split(':').map(Number) as [number, number];
      add(SERIES.confusion, label < limits.maxClasses && predicted < limits.maxClasses ? `${label}:${predicted}` : OTHER_KEY, c);
    }
  }

  if (report.shadow) {
    // A shadow run can finish in the window after its active run, so it is bounded per report, as labels are.
    const bound = limits.maxRunsPerReport;
    const what = 'COLLECTOR_MAX_RUNS_PER_REPORT';
    const { counters: c, absDiff, activeLatencyMs, candidateLatencyMs } = report.shadow;
    atMost('shadow.counters.runs + errors + dropped', c.runs + c.errors + c.dropped, bound, what);
    atMost('shadow.counters.items', c.items, c.runs * limits.maxItemsPerRun, `shadow.counters.runs × ${limits.maxItemsPerRun} items per run`);
    for (const [key, n] of Object.entries(c)) add(SERIES.shadow, key, n);
    binned(SERIES.shadowDiff, `${SERIES.shadowDiff}-extra`, 'shadow.absDiff', absDiff, c.runs, 'shadow.counters.runs');
    binned(SERIES.shadowActiveLatency, `${SERIES.shadowActiveLatency}-extra`, 'shadow.activeLatencyMs', activeLatencyMs, c.runs, 'shadow.counters.runs');
    binned(SERIES.shadowCandidateLatency, `${SERIES.shadowCandidateLatency}-extra`, 'shadow.candidateLatencyMs', candidateLatencyMs, c.runs, 'shadow.counters.runs');
  }

  if (report.canary) {
    // A verdict covers runs of earlier windows too, so it is bounded per report, as shadow counts are.
    const { outcomes, evidence: e } = report.canary;
    atMost('canary.outcomes', sum(Object.values(outcomes)), limits.maxRunsPerReport, 'COLLECTOR_MAX_RUNS_PER_REPORT');
    atMost('canary.evidence.runs', e.runs, limits.maxRunsPerReport, 'COLLECTOR_MAX_RUNS_PER_REPORT');
    atMost('canary.evidence.canaryErrors', e.canaryErrors, e.runs, 'canary.evidence.runs');
    atMost('canary.evidence.referenceErrors', e.referenceErrors, e.referenceRuns, 'canary.evidence.referenceRuns');
    atMost('canary.evidence.compared', e.compared, e.referenceRuns, 'canary.evidence.referenceRuns');
    atMost('canary.evidence.items', e.items, e.compared * limits.maxItemsPerRun, `canary.evidence.compared × ${limits.maxItemsPerRun} items per run`);
    atMost('canary.evidence.agreed', e.agreed, e.items, 'canary.evidence.items');
    for (const [key, n] of Object.entries(outcomes)) add(SERIES.canary, key, n);
    for (const [key, n] of Object.entries(e)) add(SERIES.canaryEvidence, key, n);
  }

  const ignored: ReportAdditions['ignored'] = [];
  for (const [name, feature] of Object.entries(report.features)) {
    const field = `features.${JSON.stringify(name)}`;
    const expected = registered?.layout.features.get(name);
    if (!registered) {
      ignored.push({ feature: name, reason: `no baseline is registered for ${report.model} ${report.modelVersion}` });
      continue;
    }
    if (!expected) {
      ignored.push({ feature: name, reason: 'not a feature of the registered baseline' });
      continue;
    }
    const otherKind = () => new ReportRefusedError(`${field}: ${feature.kind} here, ${expected.kind} in the registered baseline`);
    if (feature.kind === 'numeric') {
      if (expected.kind !== 'numeric') throw otherKind();
      if (feature.counts.length !== expected.bins) {
        throw new ReportRefusedError(`${field}.counts: ${feature.counts.length} bins; the registered baseline has ${expected.bins}`);
      }
      binned(SERIES.feature(name), SERIES.featureExtra(name), field, feature, items, perItem);
    } else {
      if (expected.kind !== 'categorical') throw otherKind();
      atMost(field, sumValues(feature.counts) + feature.missing, items, perItem);
      // Only the baseline's vocabulary is kept: any other category may be something a user typed,
      // and an unbounded set of keys would grow every window.
      const folded = new Map<string, number>();
      for (const [category, c] of Object.entries(feature.counts)) {
        const key = expected.vocabulary.has(category) ? category : OTHER_KEY;
        folded.set(key, (folded.get(key) ?? 0) + c);
      }
      for (const [key, c] of folded) add(SERIES.feature(name), key, c);
      add(SERIES.featureExtra(name), 'missing', feature.missing);
    }
  }
  const featureLayout = registered?.layout.hash ?? '';
  // The id lowercase, as PostgreSQL prints a uuid: the same id in either case is the same report.
  return { app, id: report.id.toLowerCase(), model: report.model, version: report.modelVersion, windowStart, windowMs, runs, errors, rejected, fallbacks, featureLayout, counts, ignored, ...(report.token ? { token: report.token } : {}) };
}
