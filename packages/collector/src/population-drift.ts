import { jensenShannon, psi, type Baseline } from '@edgewise/drift';
import type { FeatureAggregate } from '@edgewise/wire';

export interface FeaturePopulationDrift {
  feature: string;
  psi: number;
  jensenShannon: number;
  drifted: boolean;
  count: number;
}

const own = (counts: Record<string, number>, key: string) => (Object.hasOwn(counts, key) ? counts[key]! : 0);

/**
 * Drift of the merged device population against the baseline, from bin counts only (the devices
 * counted into the baseline's own bins, so PSI and Jensen-Shannon are exact for the merged data).
 */
export function populationDrift(baseline: Baseline, features: Record<string, FeatureAggregate>, threshold = 0.1): FeaturePopulationDrift[] {
  const out: FeaturePopulationDrift[] = [];
  for (const [name, feature] of Object.entries(features)) {
    const base = Object.hasOwn(baseline.features, name) ? baseline.features[name] : undefined;
    if (!base) continue;
    let ref: number[];
    let cur: number[];
    if (feature.kind === 'numeric' && base.kind === 'numeric' && base.counts.length === feature.counts.length) {
      [ref, cur] = [base.counts, feature.counts];
    } else if (feature.kind === 'categorical' && base.kind === 'categorical') {
      const keys = [...new Set([...Object.keys(base.counts), ...Object.keys(feature.counts)])].sort();
      [ref, cur] = [keys.map((k) => own(base.counts, k)), keys.map((k) => own(feature.counts, k))];
    } else continue;
    const count = cur.reduce((a, b) => a + b, 0);
    if (count === 0) continue;
    const p = psi(ref, cur);
    const js = jensenShannon(ref, cur);
    out.push({ feature: name, psi: p, jensenShannon: js, drifted: js >= threshold, count });
  }
  return out;
}
