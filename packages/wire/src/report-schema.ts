import { z } from 'zod';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, REPORT_VERSION, SHADOW_DIFF_EDGES } from './report.js';
import { keyProblem } from './report-keys.js';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const COUNT_MESSAGE = 'expected a count (an integer from 0 to 2^53 − 1)';

/**
 * Counts are exact integers; how large one may be relative to `runs` is the collector's check.
 * One predicate instead of zod's number().int().nonnegative().max() chain: a report holds ~100
 * counts, and the chain's per-check machinery made them most of the collector's parse time.
 */
const count = z.custom<number>(isCount, COUNT_MESSAGE);

/** An array of counts, checked in one loop (zod's per-element parse costs ~10× more); issues name the index. */
const counts = (length: { min: number; max: number }) =>
  z.custom<number[]>((v) => Array.isArray(v), { message: 'expected an array of counts', abort: true }).superRefine((a, ctx) => {
    if (a.length < length.min || a.length > length.max) {
      const want = length.min === length.max ? `${length.min}` : `${length.min} to ${length.max}`;
      ctx.addIssue({ code: 'custom', message: `expected ${want} bins, got ${a.length}` });
      return;
    }
    for (let i = 0; i < a.length; i++) if (!isCount(a[i])) return ctx.addIssue({ code: 'custom', path: [i], message: COUNT_MESSAGE });
  });
const key = z.string().superRefine((value, ctx) => {
  const problem = keyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** Own keys of `o`, counting no further than limit + 1. */
function countKeys(o: Record<string, unknown>, limit: number): number {
  let n = 0;
  for (const _ in o) if (++n > limit) break;
  return n;
}

const CONFUSION_KEY = /^\d{1,4}:\d{1,4}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * key → count, at most `max` entries, checked in one loop for the same reason as `counts`. The
 * object parsed from JSON is returned as it is: JSON.parse makes own properties only, and the
 * collector refuses "__proto__" before parsing and prototype names here (keyProblem).
 */
const keyedCounts = (max: number, what: string, keyCheck: (key: string) => string | undefined = keyProblem) =>
  z.custom<Record<string, number>>(isObject, { message: 'expected an object of counts', abort: true }).superRefine((m, ctx) => {
    let n = 0;
    for (const k in m) {
      if (++n > max) return ctx.addIssue({ code: 'custom', message: `at most ${max} ${what}` });
      const problem = keyCheck(k);
      if (problem) return ctx.addIssue({ code: 'custom', path: [k], message: problem });
      if (!isCount(m[k])) return ctx.addIssue({ code: 'custom', path: [k], message: COUNT_MESSAGE });
    }
  });
const countMap = keyedCounts(256, 'categories');

// Strict at every level: a field this version does not define (a raw value smuggled in, say) is
// an error, not silently dropped.
const binned = (bins: number | undefined) =>
  z.strictObject({
    counts: bins === undefined ? counts({ min: 1, max: 1001 }) : counts({ min: bins, max: bins }),
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
    // The count first, before any entry is parsed: thousands of one-bin features in one body
    // would otherwise cost tens of ms of CPU each before the bound refused them.
    features: z
      .custom<unknown>((f) => !isObject(f) || countKeys(f, 256) <= 256, { message: 'at most 256 features', abort: true })
      .pipe(
        z.record(
          key,
          z.discriminatedUnion('kind', [binned(undefined).extend({ kind: z.literal('numeric') }), z.strictObject({ kind: z.literal('categorical'), counts: countMap, missing: count })]),
        ),
      ),
    labels: z
      .strictObject({
        confusion: keyedCounts(4096, 'cells', (k) => (CONFUSION_KEY.test(k) ? undefined : 'confusion keys are "label:predicted" class indices')),
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
        outcomes: z.strictObject({ passed: count, rolledBackErrorRate: count, rolledBackAgreement: count, rolledBackLatency: count, rolledBackCrashes: count.optional() }),
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
