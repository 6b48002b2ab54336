import { describe, expect, it } from 'vitest';
import { CONFIDENCE_EDGES, LATENCY_EDGES_MS, REPORT_VERSION, SHADOW_DIFF_EDGES } from './report.js';
import { describeSchemaIssue, reportSchema } from './report-schema.js';

/** The report the collector accepts, field by field at each limit: what a device may rely on sending. */
const binned = (bins: number) => ({ counts: Array(bins).fill(0), missing: 0, nan: 0, belowRange: 0, aboveRange: 0 });
const valid = () => ({
  v: REPORT_VERSION,
  id: '0b7c6a53-9f0e-4d6e-a2c4-3f4d7b1c2e10',
  model: 'mnist',
  modelVersion: '1.1.0',
  baseline: 'a'.repeat(64),
  window: { start: 3_600_000, end: 7_200_000 },
  counters: { runs: 3, errors: 0, rejected: 0, fallbacks: 0 },
  backends: { wasm: 3 } as Record<string, number>,
  latencyMs: binned(LATENCY_EDGES_MS.length + 1),
  confidence: binned(CONFIDENCE_EDGES.length + 1),
  topClasses: { '1': 3 },
  features: {
    pixels: { kind: 'numeric', ...binned(10) },
    sky: { kind: 'categorical', counts: { sun: 2 }, missing: 1 },
  },
});
type Report = ReturnType<typeof valid>;
const problem = (edit: (r: Report) => void): string | undefined => {
  const report = valid();
  edit(report);
  const parsed = reportSchema.safeParse(report);
  return parsed.success ? undefined : describeSchemaIssue(parsed.error.issues);
};
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));

describe('reportSchema', () => {
  it('accepts a well-formed report, and the shared bin layouts', () => {
    expect(problem(() => {})).toBeUndefined();
    expect(problem((r) => delete (r as Partial<Report>).baseline)).toBeUndefined();
    expect(LATENCY_EDGES_MS).toHaveLength(16);
    expect(CONFIDENCE_EDGES).toHaveLength(19);
    CONFIDENCE_EDGES.forEach((e, i) => expect(e).toBeCloseTo((i + 1) / 20, 12));
  });

  it('checks every name and key with keyProblem, naming the path', () => {
    expect(problem((r) => (r.model = 'a\u0000b'))).toMatch(/^model: .*control characters/);
    expect(problem((r) => (r.backends = { constructor: 1 } as never))).toBe('backends.constructor: "constructor" is reserved (a JavaScript prototype member name)');
    expect(problem((r) => (r.features = { ['x\ud800']: r.features.sky } as never))).toMatch(/^features\."x\\ud800": Invalid key in record: .*unpaired surrogates/);
  });

  it('at most 256 categories per map and 256 features', () => {
    expect(problem((r) => (r.backends = keys(256)))).toBeUndefined();
    expect(problem((r) => (r.backends = keys(257)))).toBe('backends: at most 256 categories');
    const sky = valid().features.sky;
    expect(problem((r) => (r.features = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`f${i}`, sky])) as never))).toBeUndefined();
    expect(problem((r) => (r.features = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`f${i}`, sky])) as never))).toBe('features: at most 256 features');
    // Counted before any entry is parsed (thousands of entries would cost tens of ms first): bad entries get the count error.
    expect(problem((r) => (r.features = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`f${i}`, { kind: 'bogus' }])) as never))).toBe('features: at most 256 features');
  });

  it('a window may be empty (end = start) but not reversed', () => {
    expect(problem((r) => (r.window = { start: 5, end: 5 }))).toBeUndefined();
    expect(problem((r) => (r.window = { start: 5, end: 4 }))).toBe('window: window.end before window.start');
  });

  it('baseline is exactly 64 lowercase hex digits', () => {
    for (const bad of ['a'.repeat(63), 'a'.repeat(65), `x${'a'.repeat(64)}`, `${'a'.repeat(64)}x`, 'A'.repeat(64), 'g'.repeat(64)]) {
      expect(problem((r) => (r.baseline = bad)), bad).toMatch(/^baseline: /);
    }
  });

  it('fixed-bin series have exactly their bins; numeric features 1 to 1001 bins', () => {
    expect(problem((r) => (r.latencyMs = binned(16)))).toMatch(/^latencyMs\.counts: /);
    expect(problem((r) => (r.confidence = binned(21)))).toMatch(/^confidence\.counts: /);
    expect(problem((r) => (r.features.pixels.counts = []))).toMatch(/^features\.pixels\.counts: /);
    expect(problem((r) => (r.features.pixels.counts = Array(1001).fill(0)))).toBeUndefined();
    expect(problem((r) => (r.features.pixels.counts = Array(1002).fill(0)))).toMatch(/^features\.pixels\.counts: /);
  });

  it('tells numeric from categorical features by kind, and refuses unknown fields at every level', () => {
    expect(problem((r) => ((r.features.sky as { kind: string }).kind = 'numeric'))).toMatch(/^features\.sky\./);
    expect(problem((r) => ((r.features.pixels as { kind: string }).kind = 'categorical'))).toMatch(/^features\.pixels\./);
    expect(problem((r) => ((r.features.pixels as { kind: string }).kind = 'text'))).toMatch(/^features\.pixels\.kind: /);
    expect(problem((r) => Object.assign(r.features.sky, { raw: ['alice'] }))).toMatch(/^features\.sky: .*raw/);
    expect(problem((r) => Object.assign(r.latencyMs, { p50: 3 }))).toMatch(/^latencyMs: .*p50/);
    expect(problem((r) => Object.assign(r, { inputs: [1, 2] }))).toMatch(/^\(root\): .*inputs/);
  });
});

describe('the canary section', () => {
  const canary = () => ({ outcomes: { passed: 0, rolledBackErrorRate: 0, rolledBackAgreement: 1, rolledBackLatency: 0 }, evidence: { runs: 50, canaryErrors: 0, referenceRuns: 50, referenceErrors: 0, compared: 50, items: 50, agreed: 6 } });
  it('accepts verdict and evidence counts, and names the field of anything else', () => {
    expect(problem((r) => Object.assign(r, { canary: canary() }))).toBeUndefined();
    // rolledBackCrashes is optional: SDKs before it leave it out; when present it is a count.
    expect(problem((r) => Object.assign(r, { canary: { ...canary(), outcomes: { ...canary().outcomes, rolledBackCrashes: 2 } } }))).toBeUndefined();
    expect(problem((r) => Object.assign(r, { canary: { ...canary(), outcomes: { ...canary().outcomes, rolledBackCrashes: 0.5 } } }))).toMatch(/^canary\.outcomes\.rolledBackCrashes: /);
    expect(problem((r) => Object.assign(r, { canary: { ...canary(), outcomes: { ...canary().outcomes, passed: -1 } } }))).toMatch(/^canary\.outcomes\.passed: /);
    expect(problem((r) => Object.assign(r, { canary: { ...canary(), outcomes: { ...canary().outcomes, rolledBackBecause: 1 } } }))).toMatch(/^canary\.outcomes: .*rolledBackBecause/);
    expect(problem((r) => Object.assign(r, { canary: { outcomes: canary().outcomes } }))).toMatch(/^canary\.evidence: /);
    expect(problem((r) => Object.assign(r, { canary: { ...canary(), version: '1.1.0' } }))).toMatch(/^canary: .*version/);
  });
});

describe('describeSchemaIssue', () => {
  it('quotes path parts that are not identifiers, keeps indices as numbers, and names the root', () => {
    expect(problem((r) => (r.features = { 'a b': { kind: 'categorical', counts: { x: -1 }, missing: 0 } } as never))).toMatch(/^features\."a b"\.counts\.x: /);
    expect(problem((r) => (r.latencyMs.counts[3] = 0.5))).toMatch(/^latencyMs\.counts\.3: /);
    expect(describeSchemaIssue([])).toBe('(root): invalid');
    expect(describeSchemaIssue([{ code: 'custom', path: [], message: 'bad', input: 1 } as never])).toBe('(root): bad');
  });

  it('adds the first nested issue of a union', () => {
    expect(describeSchemaIssue([{ code: 'invalid_union', path: ['x'], message: 'Invalid input', issues: [{ message: 'Expected number' }], input: 1 } as never])).toBe('x: Invalid input: Expected number');
  });

  it('names what a bad count or bin array is, with its index or key', () => {
    const COUNT = 'expected a count (an integer from 0 to 2^53 − 1)';
    expect(problem((r) => (r.latencyMs = binned(16)))).toBe(`latencyMs.counts: expected ${LATENCY_EDGES_MS.length + 1} bins, got 16`);
    expect(problem((r) => (r.features.pixels.counts = []))).toBe('features.pixels.counts: expected 1 to 1001 bins, got 0');
    expect(problem((r) => (r.latencyMs.counts = 'many' as never))).toBe('latencyMs.counts: expected an array of counts');
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, '1', null]) {
      expect(problem((r) => (r.latencyMs.counts[3] = bad as never)), String(bad)).toBe(`latencyMs.counts.3: ${COUNT}`);
      expect(problem((r) => (r.backends = { wasm: bad as never })), String(bad)).toBe(`backends.wasm: ${COUNT}`);
    }
    expect(problem((r) => (r.latencyMs.counts[3] = 2 ** 53 - 1))).toBeUndefined();
    for (const bad of [null, [], 'wasm']) expect(problem((r) => (r.backends = bad as never)), JSON.stringify(bad)).toBe('backends: expected an object of counts');
  });

  it('confusion cells are keyed "label:predicted"; shadow agreement cannot exceed the items compared', () => {
    const labels = { confusion: { '0:0': 2, '10:3': 1 }, labeled: binned(CONFIDENCE_EDGES.length + 1), correct: binned(CONFIDENCE_EDGES.length + 1) };
    expect(problem((r) => Object.assign(r, { labels }))).toBeUndefined();
    for (const key of ['0', '0:', 'a:1', '1:2:3', '12345:1']) {
      expect(problem((r) => Object.assign(r, { labels: { ...labels, confusion: { [key]: 1 } } })), key).toBe(`labels.confusion.${JSON.stringify(key)}: confusion keys are "label:predicted" class indices`);
    }
    const shadow = (items: number, agreed: number) => ({
      counters: { runs: 2, items, agreed, errors: 0, dropped: 0 },
      absDiff: binned(SHADOW_DIFF_EDGES.length + 1),
      activeLatencyMs: binned(LATENCY_EDGES_MS.length + 1),
      candidateLatencyMs: binned(LATENCY_EDGES_MS.length + 1),
    });
    expect(problem((r) => Object.assign(r, { shadow: shadow(4, 4) }))).toBeUndefined();
    expect(problem((r) => Object.assign(r, { shadow: shadow(4, 5) }))).toBe('shadow.counters: agreed exceeds items');
  });
});
