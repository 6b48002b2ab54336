import { describe, expect, it } from 'vitest';
import { checkCanaryOptions, DEFAULT_CANARY, emptyEvidence, hasNonFinite, judgeCanary, median, type CanaryEvidence } from './canary.js';
import { CanaryGuard, type CanaryVerdict } from './canary-guard.js';
import { tensor } from './tensor.js';

const o = { ...DEFAULT_CANARY, minRuns: 10, passRuns: 20 };
/** `runs` canary runs, each compared, agreeing on `agreed` of them, at the given latencies. */
const evidence = (runs: number, over: Partial<CanaryEvidence> = {}): CanaryEvidence => ({
  ...emptyEvidence(),
  runs,
  referenceRuns: runs,
  compared: runs,
  items: runs,
  agreed: runs,
  canaryMs: new Array<number>(runs).fill(2),
  referenceMs: new Array<number>(runs).fill(2),
  ...over,
  // Every canary error here happened on a run the reference also ran, unless said otherwise.
  pairedCanaryErrors: over.pairedCanaryErrors ?? over.canaryErrors ?? 0,
});

describe('canary guard decision (judgeCanary)', () => {
  it('decides nothing before minRuns canary runs, however bad they look', () => {
    expect(judgeCanary(evidence(9, { agreed: 0, canaryErrors: 9 }), o)).toEqual({ verdict: 'pending' });
    expect(judgeCanary(evidence(10, { agreed: 0 }), o)).toEqual({ verdict: 'rolled-back', reason: 'agreement' });
  });

  it('error rate: trips only when the canary errs more than the reference by more than the margin', () => {
    // 2 of 10 canary errors against 1 of 10 reference errors: +0.1 > 0.02.
    expect(judgeCanary(evidence(10, { canaryErrors: 2, referenceErrors: 1 }), o)).toMatchObject({ verdict: 'rolled-back', reason: 'error-rate' });
    // Equal rates: no trip, whatever they are.
    expect(judgeCanary(evidence(10, { canaryErrors: 3, referenceErrors: 3 }), o).verdict).toBe('pending');
    // Exactly at the margin: no trip (strictly greater trips).
    expect(judgeCanary(evidence(50, { canaryErrors: 1 }), { ...o, maxErrorRateIncrease: 0.02 }).verdict).toBe('passed');
    expect(judgeCanary(evidence(50, { canaryErrors: 2 }), { ...o, maxErrorRateIncrease: 0.02 })).toMatchObject({ reason: 'error-rate' });
    // A canary that always throws is never compared; it is still rolled back on its error rate (paired with the reference's runs on the same inputs).
    expect(judgeCanary({ ...emptyEvidence(), runs: 10, canaryErrors: 10, pairedCanaryErrors: 10, referenceRuns: 10 }, o)).toMatchObject({ reason: 'error-rate' });
    // Inputs that fail in both versions are no evidence: 5 of 50 fail on each side.
    expect(judgeCanary(evidence(50, { canaryErrors: 5, referenceErrors: 5 }), o).verdict).toBe('passed');
    // Canary errors on runs the reference never saw do not count against it; the rate waits for minRuns paired runs.
    expect(judgeCanary(evidence(50, { canaryErrors: 20, pairedCanaryErrors: 0 }), o).verdict).toBe('passed');
    expect(judgeCanary({ ...evidence(50, { canaryErrors: 9 }), referenceRuns: 9 }, o).verdict).toBe('pending');
  });

  it('agreement: below minAgreement trips once minRuns runs were compared', () => {
    expect(judgeCanary(evidence(10, { agreed: 8 }), { ...o, minAgreement: 0.9 })).toMatchObject({ reason: 'agreement' });
    expect(judgeCanary(evidence(10, { agreed: 9 }), { ...o, minAgreement: 0.9 }).verdict).toBe('pending');
    // Too few comparisons (a sample, drops): agreement is not judged yet.
    expect(judgeCanary(evidence(10, { compared: 9, agreed: 0 }), o).verdict).toBe('pending');
  });

  it('latency: the median ratio over maxLatencyRatio trips, but only when also minLatencyIncreaseMs slower', () => {
    const slow = (canary: number, reference: number) => evidence(10, { canaryMs: new Array<number>(10).fill(canary), referenceMs: new Array<number>(10).fill(reference) });
    expect(judgeCanary(slow(4, 2), o)).toMatchObject({ reason: 'latency' });
    expect(judgeCanary(slow(2.9, 2), o).verdict).toBe('pending'); // ratio 1.45 ≤ 1.5
    expect(judgeCanary(slow(0.5, 0.1), o).verdict).toBe('pending'); // 5× but 0.4 ms: timer noise
    expect(judgeCanary(slow(0.5, 0.1), { ...o, minLatencyIncreaseMs: 0 })).toMatchObject({ reason: 'latency' });
    // Medians, not means: one slow first run (warm-up) does not trip.
    const warmup = evidence(10, { canaryMs: [50, ...new Array<number>(9).fill(2)] });
    expect(judgeCanary(warmup, o).verdict).toBe('pending');
  });

  it('checks error rate before agreement before latency', () => {
    const all = evidence(10, { canaryErrors: 5, agreed: 0, canaryMs: new Array<number>(10).fill(9) });
    expect(judgeCanary(all, o)).toMatchObject({ reason: 'error-rate' });
    expect(judgeCanary({ ...all, canaryErrors: 0, pairedCanaryErrors: 0 }, o)).toMatchObject({ reason: 'agreement' });
  });

  it('rolls back at maxCrashes crashes, before any other criterion and before minRuns', () => {
    expect(judgeCanary({ ...emptyEvidence(), crashes: 2 }, o)).toEqual({ verdict: 'rolled-back', reason: 'crashes' });
    expect(judgeCanary({ ...emptyEvidence(), crashes: 1 }, o)).toEqual({ verdict: 'pending' });
    expect(judgeCanary({ ...evidence(10, { canaryErrors: 5, agreed: 0 }), crashes: 2 }, o)).toMatchObject({ reason: 'crashes' });
    expect(judgeCanary({ ...evidence(20), crashes: 1 }, o).verdict).toBe('passed');
    expect(judgeCanary({ ...emptyEvidence(), crashes: 1 }, { ...o, maxCrashes: 1 })).toMatchObject({ reason: 'crashes' });
  });

  it('passes at passRuns once the reference ran minRuns times (even if it only failed)', () => {
    expect(judgeCanary(evidence(19), o).verdict).toBe('pending');
    expect(judgeCanary(evidence(20), o).verdict).toBe('passed');
    expect(judgeCanary(evidence(20, { referenceRuns: 9, compared: 9 }), o).verdict).toBe('pending');
    expect(judgeCanary({ ...emptyEvidence(), runs: 20, referenceRuns: 10, referenceErrors: 10 }, o).verdict).toBe('passed');
  });

  it('median, non-finite outputs and option checks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(hasNonFinite({ p: tensor('float32', new Float32Array([0.1, NaN]), [1, 2]) })).toBe(true);
    expect(hasNonFinite({ p: tensor('float32', new Float32Array([0.1, Infinity]), [1, 2]) })).toBe(true);
    expect(hasNonFinite({ p: tensor('float32', new Float32Array([0.1, 0.9]), [1, 2]) })).toBe(false);
    expect(() => checkCanaryOptions({ minRuns: 0 })).toThrow(/canary\.minRuns.*integer ≥ 1.*0/);
    expect(() => checkCanaryOptions({ minAgreement: 1.5 })).toThrow(/canary\.minAgreement.*\[0, 1\]/);
    expect(() => checkCanaryOptions({ minRun: 5 })).toThrow(/unknown "canary\.minRun"; allowed: minRuns/);
    expect(() => checkCanaryOptions({ minRuns: 100, passRuns: 50 })).toThrow(/passRuns.*≥.*minRuns/);
    expect(() => checkCanaryOptions({ maxCrashes: 0 })).toThrow(/canary\.maxCrashes.*integer ≥ 1/);
    expect(() => checkCanaryOptions({ maxCrashes: 1.5 })).toThrow(/canary\.maxCrashes/);
    expect(() => checkCanaryOptions(false)).not.toThrow();
    expect(() => checkCanaryOptions('on')).toThrow(TypeError);
  });
});

describe('CanaryGuard (a reference that answers with a fixed class)', () => {
  const probs = (cls: number) => {
    const p = new Float32Array(10);
    p[cls] = 1;
    return { p: tensor('float32', p, [1, 10]) };
  };
  const input = { x: tensor('float32', new Float32Array([1]), [1, 1]) };

  async function guardWith(canaryClass: number, runs: number) {
    const verdicts: CanaryVerdict[] = [];
    const reference = { run: async () => probs(3), dispose: async () => {} };
    const guard = new CanaryGuard(reference, '1.1.0', '1.0.0', { ...o, maxPending: 100 }, (v) => verdicts.push(v));
    for (let i = 0; i < runs && guard.guarding; i++) {
      guard.observe(input, probs(canaryClass), 1);
      await new Promise((r) => setTimeout(r, 0));
    }
    await guard.stop();
    return { guard, verdicts };
  }

  it('rolls back a canary that disagrees, once, with its counts', async () => {
    const { guard, verdicts } = await guardWith(7, 50);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ outcome: 'rolled-back', reason: 'agreement', version: '1.1.0', previous: '1.0.0', agreed: 0 });
    expect(verdicts[0]!.runs).toBeGreaterThanOrEqual(10);
    expect(guard.status()).toMatchObject({ state: 'rolled-back', reason: 'agreement' });
  });

  it('judges crashes carried in from earlier workers only when asked (at load), once', async () => {
    const verdicts: CanaryVerdict[] = [];
    const reference = { run: async () => probs(3), dispose: async () => {} };
    const carried = new CanaryGuard(reference, '1.1.0', '1.0.0', o, (v) => verdicts.push(v), undefined, 2);
    expect(carried.guarding).toBe(true);
    carried.judgeCarried();
    carried.judgeCarried();
    expect(verdicts).toEqual([expect.objectContaining({ outcome: 'rolled-back', reason: 'crashes', crashes: 2, runs: 0 })]);
    expect(carried.status()).toMatchObject({ state: 'rolled-back', reason: 'crashes', crashes: 2 });
    const one = new CanaryGuard(reference, '1.1.0', '1.0.0', o, (v) => verdicts.push(v), undefined, 1);
    one.judgeCarried();
    expect(one.status()).toMatchObject({ state: 'guarding', crashes: 1 });
    expect(verdicts).toHaveLength(1);
  });

  it('passes a canary that agrees at passRuns', async () => {
    const { verdicts } = await guardWith(3, 50);
    expect(verdicts).toEqual([expect.objectContaining({ outcome: 'passed', runs: 20, canaryErrors: 0 })]);
    // Decided at the 20th canary run, before its own reference run came back.
    expect(verdicts[0]!.agreed).toBe(verdicts[0]!.compared);
    expect(verdicts[0]!.compared).toBeGreaterThanOrEqual(10);
  });

  it('counts non-finite outputs and rejected runs as canary errors, against the reference on the same inputs', async () => {
    const verdicts: CanaryVerdict[] = [];
    const guard = new CanaryGuard({ run: async () => probs(3), dispose: async () => {} }, '1.1.0', '1.0.0', o, (v) => verdicts.push(v));
    for (let i = 0; i < 5; i++) {
      guard.observe(input, { p: tensor('float32', new Float32Array(10).fill(NaN), [1, 10]) }, 1);
      await new Promise((r) => setTimeout(r, 0));
    }
    for (let i = 0; i < 5 && guard.guarding; i++) {
      guard.failed(input);
      await new Promise((r) => setTimeout(r, 0));
    }
    await guard.stop();
    expect(verdicts).toEqual([expect.objectContaining({ outcome: 'rolled-back', reason: 'error-rate', runs: 10, canaryErrors: 10, referenceErrors: 0 })]);
  });

  it('does not roll back a version that fails exactly where the previous one does (the same model on both sides, 4 % bad inputs)', async () => {
    // Class 3, except input -1: -Infinity logits (non-finite) or a throw, in both versions alike.
    const answer = (x: number, throws: boolean) => {
      if (x < 0 && throws) throw new Error('bad input');
      const p = new Float32Array(10);
      p[3] = 1;
      if (x < 0) p[0] = -Infinity;
      return { p: tensor('float32', p, [1, 10]) };
    };
    for (const throws of [false, true]) {
      const verdicts: CanaryVerdict[] = [];
      const reference = { run: async (inputs: typeof input) => answer(inputs.x!.data[0] as number, throws), dispose: async () => {} };
      const guard = new CanaryGuard(reference, '1.1.0', '1.0.0', { ...DEFAULT_CANARY }, (v) => verdicts.push(v));
      for (let i = 0; i < 400 && guard.guarding; i++) {
        const x = i % 25 === 0 ? -1 : 1;
        const inputs = { x: tensor('float32', new Float32Array([x]), [1, 1]) };
        if (throws && x < 0) guard.failed(inputs);
        else guard.observe(inputs, answer(x, throws), 1);
        await new Promise((r) => setTimeout(r, 0));
      }
      await guard.stop();
      expect(verdicts, throws ? 'throwing inputs' : 'non-finite outputs').toEqual([expect.objectContaining({ outcome: 'passed' })]);
    }
  });
});
