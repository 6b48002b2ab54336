import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Baseline } from '@edgewise/drift';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type Report } from '@edgewise/wire';

/** The weather model's shipped baseline: 4 numeric features. */
export const weatherBaselineFile = fileURLToPath(new URL('../models/generated/weather-mlp/baseline.json', import.meta.url));
export const weatherBaseline = (): Baseline => JSON.parse(readFileSync(weatherBaselineFile, 'utf8')) as Baseline;

/** One HTTP exchange with a collector: status, Retry-After and the parsed JSON body. */
export async function send(url: string, path: string, init: { method?: string; key: string; body?: string; contentType?: string }) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key}` };
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const r = await fetch(`${url}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, retryAfter: r.headers.get('retry-after'), json };
}

const binned = (counts: number[]) => ({ counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const spread = (total: number, bins: number) => Array.from({ length: bins }, (_, i) => Math.floor(total / bins) + (i < total % bins ? 1 : 0));

/**
 * A report as a real device's monitor sends it for the weather model: `runs` runs, one latency,
 * backend, confidence and class per run, one value per feature per run in the baseline's bins.
 */
export function deviceReport(runs = 12, overrides: Partial<Report> = {}): Report {
  const features: Report['features'] = {};
  for (const [name, f] of Object.entries(weatherBaseline().features)) {
    if (f.kind === 'numeric') features[name] = { kind: 'numeric', ...binned(spread(runs, f.edges.length + 1)) };
  }
  const end = Date.now();
  return {
    v: 1,
    id: randomUUID(),
    model: 'weather',
    modelVersion: '1.0.0',
    window: { start: end - 60_000, end },
    counters: { runs, errors: 0, rejected: 0, fallbacks: 0 },
    backends: { wasm: runs },
    latencyMs: binned(spread(runs, LATENCY_EDGES_MS.length + 1)),
    confidence: binned(spread(runs, CONFIDENCE_EDGES.length + 1)),
    topClasses: { '0': runs - Math.floor(runs / 3), '1': Math.floor(runs / 3) },
    features,
    ...overrides,
  };
}
