import { z } from 'zod';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, REPORT_VERSION } from './report.js';

const count = z.number().int().nonnegative().max(1e12);
const name = z.string().min(1).max(128);
const countMap = z.record(name, count).refine((m) => Object.keys(m).length <= 256, 'at most 256 categories');

const binned = (bins: number | undefined) =>
  z.object({
    counts: bins === undefined ? z.array(count).min(1).max(1001) : z.array(count).length(bins),
    missing: count,
    nan: count,
    belowRange: count,
    aboveRange: count,
  });

/** What the collector accepts; anything else gets a 400 naming the first problem. */
export const reportSchema = z
  .object({
    v: z.literal(REPORT_VERSION),
    id: z.string().uuid(),
    model: name,
    modelVersion: name,
    baseline: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    window: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).refine((w) => w.end >= w.start, 'window.end before window.start'),
    counters: z.object({ runs: count, errors: count, rejected: count, fallbacks: count }),
    backends: countMap,
    latencyMs: binned(LATENCY_EDGES_MS.length + 1),
    confidence: binned(CONFIDENCE_EDGES.length + 1),
    topClasses: countMap,
    features: z
      .record(
        name,
        z.discriminatedUnion('kind', [binned(undefined).extend({ kind: z.literal('numeric') }), z.object({ kind: z.literal('categorical'), counts: countMap, missing: count })]),
      )
      .refine((f) => Object.keys(f).length <= 256, 'at most 256 features'),
  })
  .strict();
