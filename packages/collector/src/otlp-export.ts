import type { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { metricFamilies, type Family } from './metrics.js';

export interface OtlpTarget {
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); metrics go to `${endpoint}/v1/metrics`. */
  endpoint: string;
  /** Extra headers (OTEL_EXPORTER_OTLP_HEADERS, `k=v,k2=v2`), e.g. the OTel collector's auth. */
  headers: Record<string, string>;
  intervalMs: number;
}

const attributes = (l: Record<string, string>) => Object.entries(l).map(([key, v]) => ({ key, value: { stringValue: v } }));

/**
 * One family as an OTLP metric (JSON encoding of the protobuf). Counters become cumulative monotonic
 * sums and histograms cumulative explicit-bucket histograms, with the Prometheus names (less
 * `_total`, which OTel adds back on the way to Prometheus) so both paths show the same series.
 */
function otlpMetric(f: Family, timeUnixNano: string) {
  const name = f.name.replace(/_total$/, '');
  const point = (p: Family['points'][number]) => ({ attributes: attributes(p.labels), timeUnixNano, asDouble: p.value });
  if (f.type === 'counter') return { name, description: f.help, unit: f.unit || '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: f.points.map(point) } };
  if (f.type === 'gauge') return { name, description: f.help, unit: f.unit || '1', gauge: { dataPoints: f.points.map(point) } };
  return {
    name,
    description: f.help,
    unit: f.unit || '1',
    histogram: {
      aggregationTemporality: 2,
      dataPoints: f.histograms.map((h) => ({ attributes: attributes(h.labels), timeUnixNano, count: String(h.count), sum: h.sum, bucketCounts: h.counts.map(String), explicitBounds: h.bounds })),
    },
  };
}

/** The OTLP/HTTP JSON body for every app: one resource per app (`edgewise.app`). */
export async function otlpPayload(db: Database, config: CollectorConfig, registry: BaselineRegistry, now = Date.now()) {
  const timeUnixNano = `${BigInt(now) * 1_000_000n}`;
  const resourceMetrics = [];
  for (const { app } of config.apps) {
    const families = (await metricFamilies(db, config, app, registry, now)).filter((f) => !f.empty);
    resourceMetrics.push({
      resource: { attributes: attributes({ 'service.name': 'edgewise-collector', 'edgewise.app': app }) },
      scopeMetrics: [{ scope: { name: '@edgewise/collector' }, metrics: families.map((f) => otlpMetric(f, timeUnixNano)) }],
    });
  }
  return { resourceMetrics };
}

/** POSTs the payload; a failed export is dropped (the next one carries the same cumulative values). */
export async function exportOtlp(target: OtlpTarget, db: Database, config: CollectorConfig, registry: BaselineRegistry): Promise<number> {
  const r = await fetch(`${target.endpoint.replace(/\/$/, '')}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify(await otlpPayload(db, config, registry)),
    signal: AbortSignal.timeout(10_000),
  });
  await r.body?.cancel();
  return r.status;
}

export function otlpFromEnv(env: NodeJS.ProcessEnv): OtlpTarget | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.replace(/\/v1\/metrics\/?$/, '') || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const headers = Object.fromEntries(
    (env.OTEL_EXPORTER_OTLP_HEADERS ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i < 1) throw new RangeError(`OTEL_EXPORTER_OTLP_HEADERS: "${kv.slice(0, 20)}" should be key=value`);
        return [kv.slice(0, i).trim(), decodeURIComponent(kv.slice(i + 1).trim())];
      }),
  );
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000);
  if (!Number.isSafeInteger(interval) || interval < 100) throw new RangeError(`OTEL_METRIC_EXPORT_INTERVAL must be an integer ≥ 100 (ms); received ${env.OTEL_METRIC_EXPORT_INTERVAL}`);
  return { endpoint: new URL(endpoint).toString(), headers, intervalMs: interval };
}
