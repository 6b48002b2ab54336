import { openOnFirstWorkingBackend, type SelectedSession } from './backend-selection.js';
import type { BackendName, Engine, EngineSession, ModelArtifact, SessionOptions } from './engine.js';
import { AllBackendsFailedError, EngineWedgedError, describeError, type BackendAttempt } from './errors.js';
import { arrayClassFor, elementCount, type NamedTensors, type Tensor, type TensorSpec } from './tensor.js';

const now = () => globalThis.performance?.now() ?? Date.now();

/** Zeros shaped from the declared inputs, symbolic dims set to 1: a probe when the caller gives none. */
export function zeroProbe(inputs: readonly TensorSpec[]): NamedTensors {
  const probe: NamedTensors = {};
  for (const spec of inputs) {
    const dims = (spec.dims ?? [1]).map((d) => (typeof d === 'number' ? d : 1));
    probe[spec.name] = { type: spec.type, data: new (arrayClassFor(spec.type))(elementCount(dims)), dims };
  }
  return probe;
}

/** Fresh buffers per run: engines may keep or transfer what they are given. */
const copyOf = (tensors: NamedTensors): NamedTensors =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]): [string, Tensor] => [name, { ...t, data: t.data.slice() }]));

async function medianRunMs(session: EngineSession, probe: NamedTensors, runs: number): Promise<number> {
  await session.run(copyOf(probe)); // warm-up: shader compilation, kernel selection, allocation
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const inputs = copyOf(probe);
    const t = now();
    await session.run(inputs);
    times.push(now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export interface FastestSession extends SelectedSession {
  /** Backends that worked, fastest first, then the rest in their given order: the run-time fallback order. */
  order: BackendName[];
}

/**
 * `select: 'fastest'`: opens every backend that works, times `runs` runs of the probe on each (one at
 * a time, so they do not compete), keeps the fastest and disposes the others. Attempts record each
 * backend's median as `probeMs`.
 */
export async function openFastestBackend(
  engine: Engine,
  artifact: ModelArtifact,
  preferences: readonly BackendName[],
  options: SessionOptions,
  probe: NamedTensors | undefined,
  runs: number,
  onAttempt: (attempt: BackendAttempt) => void = () => {},
): Promise<FastestSession> {
  const attempts: BackendAttempt[] = [];
  const timed: Array<{ backend: BackendName; ms: number; session: EngineSession }> = [];
  let best: (typeof timed)[number] | undefined;
  try {
    for (const backend of preferences) {
      let opened: SelectedSession;
      try {
        opened = await openOnFirstWorkingBackend(engine, artifact, [backend], options, 'load');
      } catch (error) {
        if (!(error instanceof AllBackendsFailedError)) throw error;
        attempts.push(...error.attempts);
        continue;
      }
      try {
        timed.push({ backend, ms: await medianRunMs(opened.session, probe ?? zeroProbe(opened.session.inputs), runs), session: opened.session });
      } catch (error) {
        await opened.session.dispose().catch(() => undefined);
        // A wedged engine (lost WebGPU device in ORT) takes the whole thread down: stop probing.
        if (error instanceof EngineWedgedError) throw error;
        attempts.push({ backend, outcome: 'failed', phase: 'load', reason: `probe run failed: ${describeError(error)}` });
      }
    }
    best = [...timed].sort((a, b) => a.ms - b.ms)[0];
  } finally {
    // Every session opened for timing but not kept is released, also when probing threw.
    for (const t of timed) if (t !== best) await t.session.dispose().catch(() => undefined);
  }
  if (!best) {
    attempts.forEach(onAttempt);
    throw new AllBackendsFailedError(attempts);
  }
  const ranked = [...timed].sort((a, b) => a.ms - b.ms);
  const byBackend = new Map(timed.map((t) => [t.backend, t]));
  const ordered: BackendAttempt[] = preferences.flatMap((backend) => {
    const t = byBackend.get(backend);
    if (!t) return attempts.filter((a) => a.backend === backend);
    const fastest = t === best;
    return [{ backend, outcome: fastest ? 'selected' : 'slower', phase: 'load', probeMs: t.ms, ...(fastest ? {} : { reason: `${t.ms.toFixed(3)} ms per run vs ${best.ms.toFixed(3)} ms on ${best.backend}` }) }];
  });
  ordered.forEach(onAttempt);
  const rest = preferences.filter((b) => !byBackend.has(b));
  return { session: best.session, attempts: ordered, order: [...ranked.map((t) => t.backend), ...rest] };
}
