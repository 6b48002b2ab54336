import { LATENCY_EDGES_MS } from '@edgewise/wire';
import type { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { CONFIDENCE_BIN_EDGES, fleetSeries, type FleetSeries } from './fleet-series.js';
import { binnedMean } from './quantile.js';
import { readVersions } from './rollups.js';

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`).join(',');

type Labels = Record<string, string>;

/** One metric family: HELP and TYPE once, then its samples (promtool wants every family described). */
export class Family {
  readonly points: Array<{ labels: Labels; value: number }> = [];
  readonly histograms: Array<{ labels: Labels; bounds: number[]; counts: number[]; sum: number; count: number }> = [];
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly help: string,
    readonly unit = '',
  ) {}
  add(labels: Labels, value: number): void {
    this.points.push({ labels, value });
  }
  /** Bin counts over `edges` (last bin: above the last edge), scaled to the family's unit. */
  histogram(labels: Labels, counts: readonly number[], edges: readonly number[], scale: number, sum: number): void {
    const bounds = edges.map((e) => e * scale);
    const padded = Array.from({ length: bounds.length + 1 }, (_, i) => counts[i] ?? 0);
    this.histograms.push({ labels, bounds, counts: padded, sum, count: padded.reduce((a, c) => a + c, 0) });
  }
  get empty(): boolean {
    return this.points.length === 0 && this.histograms.length === 0;
  }
  render(): string[] {
    if (this.empty) return [];
    const line = (suffix: string, l: Labels, v: number) => `${this.name}${suffix}{${labels(l)}} ${Number.isFinite(v) ? v : 'NaN'}`;
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.points.map((p) => line('', p.labels, p.value))];
    for (const h of this.histograms) {
      let cumulative = 0;
      h.bounds.forEach((b, i) => out.push(line('_bucket', { ...h.labels, le: String(b) }, (cumulative += h.counts[i]!))));
      out.push(line('_bucket', { ...h.labels, le: '+Inf' }, h.count), line('_sum', h.labels, h.sum), line('_count', h.labels, h.count));
    }
    return out;
  }
}

/**
 * Prometheus text format over the released series (closed windows with at least k devices; see
 * fleet-series.ts): counters summed over the retained windows (they drop when retention deletes a
 * window, which Prometheus's rate() reads as a counter reset), histograms in base units, and the
 * latest released window's drift as gauges. Names follow Prometheus conventions (README, "Metrics").
 */
export async function renderMetrics(db: Database, config: CollectorConfig, app: string, registry: BaselineRegistry, now = Date.now()): Promise<string> {
  return [...(await metricFamilies(db, config, app, registry, now)).flatMap((family) => family.render()), ''].join('\n');
}

/** The metric families of one app, for the Prometheus text format and the OTLP export alike. */
export async function metricFamilies(db: Database, config: CollectorConfig, app: string, registry: BaselineRegistry, now = Date.now()): Promise<Family[]> {
  const f = {
    // With privacy on, exact report counts are not released (they would tell whether a device
    // reported): the released windows' noisy device counts are, under a name that says so.
    reports: config.privacy
      ? new Family('edgewise_released_devices_total', 'counter', 'Devices that reported in released windows (a noisy count: privacy on).')
      : new Family('edgewise_reports_total', 'counter', 'Aggregate reports received in released windows.'),
    runs: new Family('edgewise_runs_total', 'counter', 'Inference runs on devices, in released windows.'),
    errors: new Family('edgewise_errors_total', 'counter', 'Inference runs that failed on devices, in released windows.'),
    rejected: new Family('edgewise_rejected_total', 'counter', 'Inputs rejected by validation on devices before inference, in released windows.'),
    fallbacks: new Family('edgewise_fallbacks_total', 'counter', 'Runs that fell back to another backend on devices, in released windows.'),
    backends: new Family('edgewise_backend_runs_total', 'counter', 'Inference runs per execution backend (webgpu, wasm, ...), in released windows.'),
    windows: new Family('edgewise_windows_released_total', 'counter', 'Closed windows released (at least k devices).'),
    withheld: new Family('edgewise_windows_withheld_total', 'counter', 'Closed windows withheld because fewer than k devices contributed.'),
    latency: new Family('edgewise_inference_latency_seconds', 'histogram', 'Inference latency on devices; _sum estimated from bin midpoints (devices send bins, not sums).', 's'),
    confidence: new Family('edgewise_prediction_confidence', 'histogram', 'Top-class confidence of predictions on devices (0..1); _sum estimated from bin midpoints.'),
    js: new Family('edgewise_feature_drift_jensen_shannon', 'gauge', 'Jensen-Shannon distance of the latest released window vs the baseline, per feature (0..1).'),
    psi: new Family('edgewise_feature_drift_psi', 'gauge', 'Population stability index of the latest released window vs the baseline, per feature.'),
    last: new Family('edgewise_last_released_window_end_timestamp_seconds', 'gauge', 'End of the latest released window, seconds since the epoch.'),
    other: new Family('edgewise_window_value', 'gauge', 'Further per-window series of the latest released window (accuracy, shadow agreement, canary), by series name.'),
  };
  for (const v of await readVersions(db, app)) {
    const s: FleetSeries = await fleetSeries(db, config, app, v.model, v.version, { registry, now });
    const l = { model: v.model, version: v.version };
    const released = s.windows.filter((w) => !w.withheld);
    // Privacy on: a version with no released window is not named at all (that it exists would say
    // some device reported in it), as /v1/models does.
    if (config.privacy && released.length === 0) continue;
    f.withheld.add(l, s.windows.length - released.length);
    f.windows.add(l, released.length);
    if (!released.length) continue;
    const sum = (get: (w: (typeof released)[number]) => number | undefined) => released.reduce((a, w) => a + (get(w) ?? 0), 0);
    f.reports.add(l, sum((w) => w.reports ?? w.devices));
    for (const k of ['runs', 'errors', 'rejected', 'fallbacks'] as const) f[k].add(l, sum((w) => w[k]));
    const backends = new Map<string, number>();
    for (const w of released) for (const [b, n] of Object.entries(w.backends ?? {})) backends.set(b, (backends.get(b) ?? 0) + n);
    for (const [b, n] of [...backends].sort()) f.backends.add({ ...l, backend: b }, n);
    const add = (rows: number[][]) => rows.reduce((acc, r) => acc.map((a, i) => a + (r[i] ?? 0)), new Array(Math.max(0, ...rows.map((r) => r.length))).fill(0) as number[]);
    const latency = add(released.map((w) => w.latencyMs?.counts ?? []));
    const latencyTotal = latency.reduce((a, c) => a + c, 0);
    f.latency.histogram(l, latency, LATENCY_EDGES_MS, 1 / 1000, ((binnedMean(latency, LATENCY_EDGES_MS) ?? 0) * latencyTotal) / 1000);
    const confidence = add(released.map((w) => w.confidence?.counts ?? []));
    const confidenceTotal = confidence.reduce((a, c) => a + c, 0);
    f.confidence.histogram(l, confidence, CONFIDENCE_BIN_EDGES.slice(0, -1), 1, (binnedMean(confidence, CONFIDENCE_BIN_EDGES) ?? 0) * confidenceTotal);
    const latest = released.at(-1)!;
    f.last.add(l, latest.end / 1000);
    for (const d of latest.drift ?? []) {
      f.js.add({ ...l, feature: d.feature }, d.jensenShannon);
      f.psi.add({ ...l, feature: d.feature }, d.psi);
    }
    for (const [name, value] of Object.entries(latest.other ?? {})) f.other.add({ ...l, series: name }, value);
  }
  return Object.values(f);
}
