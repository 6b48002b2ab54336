import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession } from './engine.js';
import { AllBackendsFailedError } from './errors.js';
import { openFastestBackend, zeroProbe } from './fastest-backend.js';
import { tensor } from './tensor.js';

/**
 * `select: 'fastest'` against an engine whose backends take KNOWN times per run (a timer, not the
 * code under test), so the verdict is checked against ground truth rather than against the
 * selector's own measurements. The browser test (test/browser/fastest-backend.test.ts) covers
 * real engines, where the true order is not known in advance.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function timedEngine(msPerRun: Partial<Record<BackendName, number | 'fails-to-open' | 'fails-to-run'>>) {
  const disposed: BackendName[] = [];
  const runs: Record<string, number> = {};
  const engine: Engine = {
    name: 'timed',
    backends: Object.keys(msPerRun) as BackendName[],
    companionFiles: () => [],
    async createSession(_artifact, backend): Promise<EngineSession> {
      const ms = msPerRun[backend]!;
      if (ms === 'fails-to-open') throw new Error(`${backend}: no adapter`);
      return {
        backend,
        inputs: [{ name: 'x', type: 'float32', dims: [null, 2] }],
        outputs: [{ name: 'y', type: 'float32', dims: [null, 2] }],
        async run(inputs) {
          runs[backend] = (runs[backend] ?? 0) + 1;
          if (ms === 'fails-to-run') throw new Error(`${backend}: kernel missing`);
          await sleep(ms);
          return { y: inputs.x! };
        },
        async dispose() {
          disposed.push(backend);
        },
      };
    },
  };
  return { engine, disposed, runs };
}

const artifact = { entry: 'm', files: {} } as never;

describe('openFastestBackend', () => {
  it('keeps the truly fastest backend, ranks the rest by their real times and disposes them', async () => {
    const { engine, disposed, runs } = timedEngine({ webgpu: 40, webgl: 15, wasm: 2 });
    const seen: string[] = [];
    const result = await openFastestBackend(engine, artifact, ['webgpu', 'webgl', 'wasm'], {}, undefined, 3, (a) => seen.push(`${a.backend}:${a.outcome}`));
    expect(result.session.backend).toBe('wasm');
    expect(result.order).toEqual(['wasm', 'webgl', 'webgpu']);
    expect(result.attempts.map((a) => [a.backend, a.outcome])).toEqual([['webgpu', 'slower'], ['webgl', 'slower'], ['wasm', 'selected']]);
    const ms = Object.fromEntries(result.attempts.map((a) => [a.backend, a.probeMs!]));
    // Medians of real sleeps: at least the sleep, and not wildly more.
    expect(ms.webgpu).toBeGreaterThanOrEqual(39);
    expect(ms.webgl).toBeGreaterThanOrEqual(14);
    expect(ms.webgl).toBeLessThan(ms.webgpu!);
    expect(ms.wasm).toBeLessThan(ms.webgl!);
    expect(result.attempts[0]!.reason).toMatch(/ms per run vs .* ms on wasm/);
    expect(disposed.sort()).toEqual(['webgl', 'webgpu']);
    // One warm-up plus `runs` timed runs on each backend.
    expect(runs).toEqual({ webgpu: 4, webgl: 4, wasm: 4 });
    expect(seen).toEqual(['webgpu:slower', 'webgl:slower', 'wasm:selected']);
  });

  it('the fastest may be any position in the preference list', async () => {
    const { engine } = timedEngine({ webgpu: 1, webgl: 20, wasm: 20 });
    const result = await openFastestBackend(engine, artifact, ['wasm', 'webgl', 'webgpu'], {}, undefined, 3);
    expect(result.session.backend).toBe('webgpu');
    expect(result.order[0]).toBe('webgpu');
  });

  it('records backends that fail to open or to run, and skips ones the engine lacks', async () => {
    const { engine, disposed } = timedEngine({ webgpu: 'fails-to-open', webgl: 'fails-to-run', wasm: 1 });
    const result = await openFastestBackend(engine, artifact, ['webgpu', 'webgl', 'cpu', 'wasm'], {}, undefined, 1);
    expect(result.session.backend).toBe('wasm');
    expect(result.attempts).toEqual([
      expect.objectContaining({ backend: 'webgpu', outcome: 'failed', reason: expect.stringContaining('no adapter') }),
      expect.objectContaining({ backend: 'webgl', outcome: 'failed', reason: expect.stringMatching(/probe run failed: .*kernel missing/) }),
      expect.objectContaining({ backend: 'cpu', outcome: 'skipped' }),
      expect.objectContaining({ backend: 'wasm', outcome: 'selected' }),
    ]);
    expect(result.order).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(disposed).toEqual(['webgl']);
  });

  it('throws AllBackendsFailedError with every cause when none works', async () => {
    const { engine } = timedEngine({ webgpu: 'fails-to-open', wasm: 'fails-to-run' });
    const error = await openFastestBackend(engine, artifact, ['webgpu', 'wasm'], {}, undefined, 1).catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.attempts.map((a: { backend: string }) => a.backend)).toEqual(['webgpu', 'wasm']);
  });

  it('probes with the given inputs, or zeros shaped from the declared inputs (symbolic dims as 1)', async () => {
    expect(zeroProbe([{ name: 'x', type: 'float32', dims: [null, 3] }, { name: 'n', type: 'int32', dims: ['batch'] as never }])).toEqual({
      x: tensor('float32', new Float32Array(3), [1, 3]),
      n: tensor('int32', new Int32Array(1), [1]),
    });
  });
});
