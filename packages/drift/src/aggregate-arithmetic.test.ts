import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmptyBody, subtractBody, type AggregateBody } from './aggregate-arithmetic.js';

/**
 * A window hands part of itself to the uplink (b), keeps counting, and later hands over what it
 * gained: subtractBody(b + d, b) must be exactly d, for every count in every section, or a report
 * double-counts or loses runs.
 */
type Bins = { counts: number[]; missing: number; nan: number; belowRange: number; aboveRange: number };
// Zero half the time: sections whose counts are all zero are dropped, and that path needs hitting.
const count = fc.oneof(fc.constant(0), fc.nat({ max: 50 }));
const bins = (n: number) => fc.record({ counts: fc.array(count, { minLength: n, maxLength: n }), missing: count, nan: count, belowRange: count, aboveRange: count });
const record = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, count])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, number>>;

interface Shape {
  labels: boolean;
  shadow: boolean;
  canary: boolean;
}
const body = (shape: Shape): fc.Arbitrary<AggregateBody> =>
  fc
    .record({
      counters: fc.record({ runs: count, errors: count, rejected: count, fallbacks: count }),
      backends: record(['wasm', 'webgpu', 'webgl']),
      latencyMs: bins(4),
      confidence: bins(3),
      topClasses: record(['0', '1', '7']),
      features: fc.record({ x: bins(3).map((b) => ({ kind: 'numeric' as const, ...b })), sky: fc.record({ kind: fc.constant('categorical' as const), counts: record(['sun', 'rain']), missing: count }) }),
      labels: shape.labels ? fc.record({ confusion: record(['0:0', '0:1', '1:1']), labeled: bins(3), correct: bins(3) }) : fc.constant(undefined),
      shadow: shape.shadow ? fc.record({ counters: fc.record({ runs: count, items: count, agreed: count, errors: count, dropped: count }), absDiff: bins(2), activeLatencyMs: bins(2), candidateLatencyMs: bins(2) }) : fc.constant(undefined),
      canary: shape.canary
        ? fc.record({
            outcomes: fc.record({ passed: count, rolledBackErrorRate: count, rolledBackAgreement: count, rolledBackLatency: count, rolledBackCrashes: count }),
            evidence: fc.record({ runs: count, canaryErrors: count, referenceRuns: count, referenceErrors: count, compared: count, items: count, agreed: count }),
          })
        : fc.constant(undefined),
    })
    .map((b) => {
      for (const key of ['labels', 'shadow', 'canary'] as const) if (b[key] === undefined) delete b[key];
      return b as AggregateBody;
    });

/** Count-by-count sum, written independently of the code under test. */
function add<T>(a: T, b: T | undefined): T {
  if (b === undefined) return a;
  if (typeof a === 'number') return (a + (b as number)) as T;
  if (Array.isArray(a)) return a.map((v, i) => add(v, (b as unknown[])[i])) as T;
  if (typeof a === 'object' && a !== null) {
    const out: Record<string, unknown> = { ...(b as Record<string, unknown>) };
    for (const [k, v] of Object.entries(a)) out[k] = add(v, (b as Record<string, unknown>)[k]);
    return out as T;
  }
  return a;
}

/** What subtractBody is documented to give for a gain d: zero entries of keyed counts dropped, a section with no shadow run or canary verdict left out. */
function expectedGain(d: AggregateBody): AggregateBody {
  const nonZero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, n]) => n !== 0));
  const out: AggregateBody = structuredClone(d);
  out.backends = nonZero(d.backends);
  out.topClasses = nonZero(d.topClasses);
  const sky = out.features.sky as { counts: Record<string, number> };
  sky.counts = nonZero(sky.counts);
  if (out.labels) out.labels.confusion = nonZero(out.labels.confusion);
  if (out.shadow && Object.values(out.shadow.counters).every((n) => n === 0)) delete out.shadow;
  if (out.canary && Object.values(out.canary.outcomes).every((n) => n === 0)) delete out.canary;
  return out;
}

const shapes = fc.record({ labels: fc.boolean(), shadow: fc.boolean(), canary: fc.boolean() });
/** b (what was handed over) may lack a section that a (the window now) has: it arrived after. */
const taken = (shape: Shape) => fc.record({ labels: fc.boolean(), shadow: fc.boolean(), canary: fc.boolean() }).map((t) => ({ labels: shape.labels && t.labels, shadow: shape.shadow && t.shadow, canary: shape.canary && t.canary }));

describe('subtractBody', () => {
  it('(b + d) − b = d, in every section, whichever sections b already had (property)', () => {
    fc.assert(
      fc.property(
        shapes.chain((shape) => fc.record({ d: body(shape), b: taken(shape).chain(body) })),
        ({ d, b }) => {
          const a = add(d, b);
          expect(subtractBody(a, b)).toEqual(expectedGain(d));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('nothing handed over yet: the body itself', () => {
    fc.assert(
      fc.property(shapes.chain(body), (a) => {
        expect(subtractBody(a, undefined)).toBe(a);
      }),
      { numRuns: 20 },
    );
  });

  it('a feature whose kind changed since (a new baseline) is taken whole, not subtracted from the other kind', () => {
    fc.assert(
      fc.property(body({ labels: false, shadow: false, canary: false }), body({ labels: false, shadow: false, canary: false }), (a, b) => {
        const swapped = { ...b, features: { x: b.features.sky!, sky: b.features.x! } };
        const out = subtractBody(a, swapped);
        expect(out.features.x).toEqual(a.features.x);
        const sky = a.features.sky as { counts: Record<string, number>; missing: number };
        expect(out.features.sky).toEqual({ kind: 'categorical', counts: Object.fromEntries(Object.entries(sky.counts).filter(([, n]) => n !== 0)), missing: sky.missing });
      }),
      { numRuns: 50 },
    );
  });
});

describe('isEmptyBody: a window worth no report', () => {
  const empty = (): AggregateBody => ({
    counters: { runs: 0, errors: 0, rejected: 0, fallbacks: 0 },
    backends: {},
    latencyMs: { counts: [0], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
    confidence: { counts: [0], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 },
    topClasses: {},
    features: {},
  });
  const zeroBins = (): Bins => ({ counts: [0], missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });

  it('counts nothing: empty; so is one with a labels section holding no label', () => {
    expect(isEmptyBody(empty())).toBe(true);
    expect(isEmptyBody({ ...empty(), labels: { confusion: {}, labeled: zeroBins(), correct: zeroBins() } })).toBe(true);
  });

  it.each([
    ['a run', (b: AggregateBody) => (b.counters.runs = 1)],
    ['an error', (b: AggregateBody) => (b.counters.errors = 1)],
    ['a rejection', (b: AggregateBody) => (b.counters.rejected = 1)],
    ['a label', (b: AggregateBody) => (b.labels = { confusion: { '1:1': 1 }, labeled: zeroBins(), correct: zeroBins() })],
    ['a shadow section', (b: AggregateBody) => (b.shadow = { counters: { runs: 0, items: 0, agreed: 0, errors: 0, dropped: 1 }, absDiff: zeroBins(), activeLatencyMs: zeroBins(), candidateLatencyMs: zeroBins() })],
    ['a canary verdict', (b: AggregateBody) => (b.canary = { outcomes: { passed: 1, rolledBackErrorRate: 0, rolledBackAgreement: 0, rolledBackLatency: 0 }, evidence: { runs: 0, canaryErrors: 0, referenceRuns: 0, referenceErrors: 0, compared: 0, items: 0, agreed: 0 } })],
  ])('with %s: not empty', (_, fill) => {
    const b = empty();
    fill(b);
    expect(isEmptyBody(b)).toBe(false);
  });

  it('fallbacks alone (no run finished) are not worth a report', () => {
    const b = empty();
    b.counters.fallbacks = 2;
    expect(isEmptyBody(b)).toBe(true);
  });
});
