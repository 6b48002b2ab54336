import { z } from 'zod';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, REPORT_VERSION, SHADOW_DIFF_EDGES } from './report.js';
import { keyProblem } from './report-keys.js';

/** Counts are exact integers; how large one may be relative to `runs` is the collector's check. */
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const key = z.string().superRefine((value, ctx) => {
  const problem = keyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const countMap = z.record(key, count).refine((m) => Object.keys(m).length <= 256, 'at most 256 categories');

// Strict at every level: a field this version does not define (a raw value smuggled in, say) is
// an error, not silently dropped.
const binned = (bins: number | undefined) =>
  z.strictObject({
    counts: bins === undefined ? z.array(count).min(1).max(1001) : z.array(count).length(bins),
    missing: count,
    nan: count,
    belowRange: count,
    aboveRange: count,
  });

/**
 * What the collector accepts structurally; anything else gets a 400 naming the first problem.
 * Names and keys follow `keyProblem` (no NUL, no unpaired surrogates, no prototype names).
 */
export const reportSchema = z
  .strictObject({
    v: z.literal(REPORT_VERSION),
    id: z.string().uuid(),
    model: key,
    modelVersion: key,
    baseline: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    window: z
      .strictObject({ start: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), end: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) })
      .refine((w) => w.end >= w.start, 'window.end before window.start'),
    token: z.string().regex(/^[0-9a-f]{32}$/, '32 lowercase hex digits').optional(),
    counters: z.strictObject({ runs: count, errors: count, rejected: count, fallbacks: count }),
    backends: countMap,
    latencyMs: binned(LATENCY_EDGES_MS.length + 1),
    confidence: binned(CONFIDENCE_EDGES.length + 1),
    topClasses: countMap,
    features: z
      .record(
        key,
        z.discriminatedUnion('kind', [binned(undefined).extend({ kind: z.literal('numeric') }), z.strictObject({ kind: z.literal('categorical'), counts: countMap, missing: count })]),
      )
      .refine((f) => Object.keys(f).length <= 256, 'at most 256 features'),
    labels: z
      .strictObject({
        confusion: z.record(z.string().regex(/^\d{1,4}:\d{1,4}$/, 'confusion keys are "label:predicted" class indices'), count).refine((m) => Object.keys(m).length <= 4096, 'at most 4096 cells'),
        labeled: binned(CONFIDENCE_EDGES.length + 1),
        correct: binned(CONFIDENCE_EDGES.length + 1),
      })
      .optional(),
    shadow: z
      .strictObject({
        counters: z.strictObject({ runs: count, items: count, agreed: count, errors: count, dropped: count }).refine((c) => c.agreed <= c.items, 'agreed exceeds items'),
        absDiff: binned(SHADOW_DIFF_EDGES.length + 1),
        activeLatencyMs: binned(LATENCY_EDGES_MS.length + 1),
        candidateLatencyMs: binned(LATENCY_EDGES_MS.length + 1),
      })
      .optional(),
    canary: z
      .strictObject({
        outcomes: z.strictObject({ passed: count, rolledBackErrorRate: count, rolledBackAgreement: count, rolledBackLatency: count }),
        evidence: z.strictObject({ runs: count, canaryErrors: count, referenceRuns: count, referenceErrors: count, compared: count, items: count, agreed: count }),
      })
      .optional(),
  });

/**
 * The first schema problem as one line, path first: `features."a\u0000".counts: …`. Path parts
 * that are not plain identifiers are JSON-quoted, so control characters show as escapes.
 */
export function describeSchemaIssue(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0];
  if (!issue) return '(root): invalid';
  const path = issue.path.map((p) => (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p) ? p : typeof p === 'number' ? String(p) : JSON.stringify(String(p)))).join('.');
  const nested = 'issues' in issue && Array.isArray(issue.issues) && issue.issues[0] ? `: ${(issue.issues[0] as { message: string }).message}` : '';
  return `${path || '(root)'}: ${issue.message}${nested}`;
}
