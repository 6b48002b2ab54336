import { LATENCY_EDGES_MS } from '@edgewise/wire';
import type { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { driftFor } from './drift.js';
import { readVersions } from './rollups.js';

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Prometheus text format: report and run counters, latency histograms, drift gauges (k-anonymous).
 * Read from the window rollups: a scrape costs windows × bins, not reports.
 */
export async function renderMetrics(db: Database, config: CollectorConfig, app: string, registry: BaselineRegistry): Promise<string> {
  const lines: string[] = [
    ...(config.privacy
      ? ['# HELP edgewise_released_devices_total Devices of released windows (noisy; privacy on).', '# TYPE edgewise_released_devices_total counter']
      : ['# HELP edgewise_reports_total Aggregate reports received.', '# TYPE edgewise_reports_total counter']),
  ];
  const versions = await readVersions(db, app);
  const latency: string[] = ['# HELP edgewise_inference_latency_ms Inference latency on devices.', '# TYPE edgewise_inference_latency_ms histogram'];
  const runs: string[] = ['# HELP edgewise_runs_total Inference runs on devices.', '# TYPE edgewise_runs_total counter'];
  const drift: string[] = ['# HELP edgewise_feature_drift_js Jensen-Shannon distance of merged device inputs vs the baseline.', '# TYPE edgewise_feature_drift_js gauge'];
  const psiLines: string[] = ['# HELP edgewise_feature_drift_psi PSI of merged device inputs vs the baseline.', '# TYPE edgewise_feature_drift_psi gauge'];
  for (const v of versions) {
    const l = `model="${label(v.model)}",version="${label(v.version)}"`;
    const result = await driftFor(db, config, app, v.model, v.version, { registry, now: config.now?.() });
    // With privacy on, only released (noisy) numbers: devices of released windows instead of exact reports.
    if (!config.privacy) lines.push(`edgewise_reports_total{${l}} ${v.reports}`);
    else if ('devices' in result) lines.push(`edgewise_released_devices_total{${l}} ${result.devices}`);
    if ('withheld' in result) continue;
    const counts = result.latencyMs.counts;
    const total = counts.reduce((a, c) => a + c, 0);
    let cumulative = 0;
    LATENCY_EDGES_MS.forEach((edge, i) => latency.push(`edgewise_inference_latency_ms_bucket{${l},le="${edge}"} ${(cumulative += counts[i]!)}`));
    latency.push(`edgewise_inference_latency_ms_bucket{${l},le="+Inf"} ${total}`, `edgewise_inference_latency_ms_count{${l}} ${total}`);
    for (const key of ['runs', 'errors', 'rejected', 'fallbacks'] as const) runs.push(`edgewise_${key === 'runs' ? 'runs' : key}_total{${l}} ${result.counters[key]}`);
    for (const f of result.features) {
      drift.push(`edgewise_feature_drift_js{${l},feature="${label(f.feature)}"} ${f.jensenShannon}`);
      psiLines.push(`edgewise_feature_drift_psi{${l},feature="${label(f.feature)}"} ${f.psi}`);
    }
  }
  return [...lines, ...runs, ...latency, ...drift, ...psiLines, ''].join('\n');
}
