import type { Baseline } from '@edgewise/drift';
import type { AggregateSource } from '@edgewise/uplink';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, type BinnedCounts } from '@edgewise/wire';

/** Deterministic pseudo-random numbers in [0, 1) (a test's devices must be reproducible). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function spread(total: number, bins: number, random: () => number): BinnedCounts {
  const counts = new Array(bins).fill(0);
  for (let i = 0; i < total; i++) counts[Math.floor(random() * bins)]++;
  return { counts, missing: 0, nan: 0, belowRange: 0, aboveRange: 0 };
}

/**
 * A device's monitor as the uplink sees it (AggregateSource), producing counts that a real
 * monitor would: `runs` runs, one latency and one backend per run, one value per feature per run
 * in the baseline's bins. Thousands of simulated devices cannot each run an ONNX model in a test;
 * what the collector receives is the same shape either way. `produced` adds up what was handed out.
 */
export function syntheticSource(baseline: Baseline, random: () => number) {
  const produced = { reports: 0, runs: 0, featureValues: 0 };
  const source: AggregateSource = {
    async aggregates() {
      const runs = 1 + Math.floor(random() * 20);
      produced.reports++;
      produced.runs += runs;
      const features: Record<string, { kind: 'numeric' } & BinnedCounts> = {};
      for (const [name, f] of Object.entries(baseline.features)) {
        if (f.kind !== 'numeric') continue;
        features[name] = { kind: 'numeric', ...spread(runs, f.edges.length + 1, random) };
        produced.featureValues += runs;
      }
      const classes = Math.floor(random() * runs);
      return {
        body: {
          counters: { runs, errors: Math.floor(random() * 2), rejected: 0, fallbacks: 0 },
          backends: { wasm: runs },
          latencyMs: spread(runs, LATENCY_EDGES_MS.length + 1, random),
          confidence: spread(runs, CONFIDENCE_EDGES.length + 1, random),
          topClasses: { '0': classes, '1': runs - classes },
          features,
        },
      };
    },
  };
  return { source, produced };
}
