import { jensenShannon, psi, type Baseline } from '@edgewise/drift';
import type { MergedBody } from './merge.js';

export interface FeaturePopulationDrift {
  feature: string;
  psi: number;
  jensenShannon: number;
  drifted: boolean;
  count: number;
}

/**
 * Drift of the merged device population against the baseline, from bin counts only (the devices
 * counted into the baseline's own bins, so PSI and Jensen-Shannon are exact for the merged data).
 */
export function populationDrift(baseline: Baseline, merged: MergedBody, threshold = 0.1): FeaturePopulationDrift[] {
  const out: FeaturePopulationDrift[] = [];
  for (const [name, feature] of Object.entries(merged.features)) {
    const base = baseline.features[name];
    if (!base) continue;
    let ref: number[];
    let cur: number[];
    if (feature.kind === 'numeric' && base.kind === 'numeric' && base.counts.length === feature.counts.length) {
      [ref, cur] = [base.counts, feature.counts];
    } else if (feature.kind === 'categorical' && base.kind === 'categorical') {
      const keys = [...new Set([...Object.keys(base.counts), ...Object.keys(feature.counts)])].sort();
      [ref, cur] = [keys.map((k) => base.counts[k] ?? 0), keys.map((k) => feature.counts[k] ?? 0)];
    } else continue;
    const count = cur.reduce((a, b) => a + b, 0);
    if (count === 0) continue;
    const p = psi(ref, cur);
    const js = jensenShannon(ref, cur);
    out.push({ feature: name, psi: p, jensenShannon: js, drifted: js >= threshold, count });
  }
  return out;
}
