import type { BackendName, Engine, EngineSession } from '../engine.js';
import { BackendError, EngineWedgedError, InputError, type BackendFailure } from '../errors.js';

/**
 * A fault to inject. Backend failures and wedges are raised the way a classifying engine raises them
 * (typed errors); 'unknown' is a plain Error, as an engine that cannot tell would throw; 'hang' is a
 * run that never settles; 'block' busy-waits `ms` (default: forever), so the thread cannot answer
 * anything, as a stuck synchronous WASM call would; 'slow' delays a run by `ms`.
 */
export type Fault = {
  kind: Exclude<BackendFailure, 'unknown'> | 'engine-wedged' | 'unknown' | 'input' | 'hang' | 'block' | 'slow';
  /** Only on this backend (default: any). */
  backend?: BackendName;
  /** Session creation or runs (default 'run'). */
  on?: 'create' | 'run';
  /** How many times it fires (default 1; Infinity until cleared). */
  times?: number;
  /** For 'slow' and 'block'. */
  ms?: number;
};

/** Counts of sessions, so tests can assert every one that was created was released. */
export interface SessionCounts {
  created: number;
  disposed: number;
}

export interface FaultController {
  inject(fault: Fault): void;
  clear(): void;
  readonly sessions: Readonly<SessionCounts>;
}

export interface FaultyEngine extends Engine {
  readonly faults: FaultController;
}

/**
 * Wraps an engine so tests (and chaos drills) can make it fail on purpose, with no branch for it in
 * the engine or the model: fault injection lives in this decorator only.
 *
 * @example
 * const engine = withFaults(createOnnxEngine());
 * const runtime = createRuntime({ engines: [engine] });
 * engine.faults.inject({ kind: 'device-lost', backend: 'webgpu' }); // the next WebGPU run fails so
 */
export function withFaults(engine: Engine): FaultyEngine {
  let faults: Array<Fault & { left: number }> = [];
  const sessions: SessionCounts = { created: 0, disposed: 0 };

  /** The first armed fault for this backend and phase, used up by one. */
  const take = (backend: BackendName, on: 'create' | 'run') => {
    const fault = faults.find((f) => (f.on ?? 'run') === on && (!f.backend || f.backend === backend) && f.left > 0);
    if (fault) fault.left--;
    return fault;
  };

  const fire = async (fault: Fault, backend: BackendName): Promise<void> => {
    const what = `injected ${fault.kind} on "${backend}"`;
    switch (fault.kind) {
      case 'hang':
        return new Promise<never>(() => {});
      case 'slow':
        return new Promise((r) => setTimeout(r, fault.ms ?? 100));
      case 'block': {
        const until = Date.now() + (fault.ms ?? Infinity);
        while (Date.now() < until);
        return;
      }
      case 'engine-wedged':
        throw new EngineWedgedError(backend, `${what}: nothing more can run in this thread`);
      case 'input':
        throw new InputError('', `data the engine rejected (${what})`, 'data it accepts');
      case 'unknown':
        throw new Error(`${what} (an error the engine could not classify)`);
      default:
        throw new BackendError(backend, what, { failure: fault.kind });
    }
  };

  const wrap = (session: EngineSession): EngineSession => {
    let disposed = false;
    return {
      backend: session.backend,
      inputs: session.inputs,
      outputs: session.outputs,
      async run(inputs) {
        const fault = take(session.backend, 'run');
        if (fault) await fire(fault, session.backend);
        return session.run(inputs);
      },
      async dispose() {
        if (!disposed) sessions.disposed++;
        disposed = true;
        await session.dispose();
      },
    };
  };

  return {
    name: engine.name,
    backends: engine.backends,
    companionFiles: (entry, bytes) => engine.companionFiles(entry, bytes),
    async createSession(artifact, backend, options) {
      const fault = take(backend, 'create');
      if (fault) await fire(fault, backend);
      const session = await engine.createSession(artifact, backend, options);
      sessions.created++;
      return wrap(session);
    },
    faults: {
      inject: (fault) => void faults.push({ ...fault, left: fault.times ?? 1 }),
      clear: () => void (faults = []),
      sessions,
    },
  };
}
