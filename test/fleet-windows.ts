import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deviceReport, send, weatherBaseline, weatherBaselineFile } from './collector-client.js';
import { seeded } from './synthetic-aggregates.js';

export const HOUR = 3_600_000;

/** Window starts of the `n` closed hours before the current one, oldest first. */
export const pastWindows = (n: number, now = Date.now()) => Array.from({ length: n }, (_, i) => (Math.floor(now / HOUR) - n + i) * HOUR);

export interface FleetWindowOptions {
  model?: string;
  version: string;
  windowStart: number;
  devices: number;
  /**
   * Runs per device (default 40). Sampling noise alone gives a Jensen-Shannon distance of roughly
   * sqrt((bins - 1) / (8 ln 2 · samples)) per window: about 0.13 at 200 samples, 0.04 at 2,000, so
   * tests that compare against the 0.1 threshold use enough runs to be clear of it.
   */
  runs?: number;
  /** Shift every feature's values this many bins up (a drifting population); 0: the baseline's shape. */
  shift?: number;
  errorsPerDevice?: number;
  fallbacksPerDevice?: number;
  seed?: number;
}

/**
 * Reports of `devices` simulated devices for one window of the weather model, as the uplink sends
 * them (one report per device per window). Healthy devices draw feature bins from the baseline's own
 * proportions; a shifted fleet moves every value `shift` bins up, so drift follows by construction.
 */
export async function postFleetWindow(url: string, ingestKey: string, o: FleetWindowOptions): Promise<void> {
  const random = seeded(o.seed ?? o.windowStart / HOUR + o.devices);
  const baseline = weatherBaseline();
  for (let d = 0; d < o.devices; d++) {
    const runs = o.runs ?? 40;
    const report = deviceReport(runs, { id: randomUUID(), model: o.model ?? 'weather', modelVersion: o.version, window: { start: o.windowStart, end: o.windowStart + HOUR - 1 } });
    for (const [name, f] of Object.entries(baseline.features)) {
      if (f.kind !== 'numeric') continue;
      const total = f.counts.reduce((a, c) => a + c, 0);
      const counts: number[] = new Array<number>(f.counts.length).fill(0);
      for (let r = 0; r < runs; r++) {
        let u = random() * total;
        let bin = 0;
        while (bin < f.counts.length - 1 && (u -= f.counts[bin]!) > 0) bin++;
        counts[Math.min(f.counts.length - 1, bin + (o.shift ?? 0))]! += 1;
      }
      report.features[name] = { kind: 'numeric', counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
    }
    report.counters = { runs, errors: o.errorsPerDevice ?? 0, rejected: 1, fallbacks: o.fallbacksPerDevice ?? 0 };
    const r = await send(url, '/v1/reports', { key: ingestKey, body: JSON.stringify(report) });
    if (r.status !== 202) throw new Error(`report refused: ${r.status} ${JSON.stringify(r.json)}`);
  }
}

export async function registerWeatherBaseline(url: string, adminKey: string, version: string, model = 'weather'): Promise<void> {
  const r = await send(url, `/v1/baselines/${model}/${version}`, { method: 'PUT', key: adminKey, body: await readFile(weatherBaselineFile, 'utf8') });
  if (r.status !== 204) throw new Error(`baseline refused: ${r.status} ${JSON.stringify(r.json)}`);
}
