import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession } from './engine.js';
import { AllBackendsFailedError, BackendError } from './errors.js';
import { LocalModel } from './model.js';
import { tensor, type NamedTensors } from './tensor.js';

/**
 * A scripted engine for the pure fallback logic: it doubles its input, and fails where told.
 * (Real engines and real backend failures are covered by the browser tests.)
 */
function scriptedEngine(script: { failCreate?: BackendName[]; failRunOnce?: BackendName[]; failRun?: BackendName[]; slowMs?: number; msBy?: Partial<Record<BackendName, number>> }): Engine & { log: string[] } {
  const log: string[] = [];
  const failRun = new Set(script.failRunOnce);
  return {
    name: 'scripted',
    backends: ['webgpu', 'webgl', 'wasm'],
    log,
    companionFiles: () => [],
    async createSession(_artifact, backend): Promise<EngineSession> {
      log.push(`create:${backend}`);
      if (script.failCreate?.includes(backend)) throw new Error(`${backend} unavailable`);
      return {
        backend,
        inputs: [{ name: 'x', type: 'float32', dims: [1] }],
        outputs: [{ name: 'y', type: 'float32', dims: [1] }],
        async run(inputs: NamedTensors) {
          log.push(`run:${backend}`);
          const ms = script.msBy?.[backend] ?? script.slowMs;
          if (ms) await new Promise((r) => setTimeout(r, ms));
          if (failRun.delete(backend) || script.failRun?.includes(backend)) throw new BackendError(backend, 'kernel missing', { failure: 'kernel-unsupported' });
          return { y: tensor('float32', [(inputs.x!.data[0] as number) * 2], [1]) };
        },
        async dispose() {
          log.push(`dispose:${backend}`);
        },
      };
    },
  };
}

const open = (engine: Engine, backends: BackendName[] = ['webgpu', 'webgl', 'wasm']) =>
  LocalModel.open(engine, { entry: 'm', files: { m: new Uint8Array(1) } }, { backends, session: {}, validation: {} });
const x = (v: number) => ({ x: tensor('float32', [v], [1]) });
const openFastest = (engine: Engine, backends: BackendName[] = ['webgpu', 'webgl', 'wasm']) =>
  LocalModel.open(engine, { entry: 'm', files: { m: new Uint8Array(1) } }, { backends, session: {}, validation: {}, fastest: { runs: 3 } });

describe('LocalModel backend selection and fallback', () => {
  it('records why earlier backends were passed over', async () => {
    const model = await open(scriptedEngine({ failCreate: ['webgpu'] }), ['webgpu', 'webgl']);
    expect(model.backend).toBe('webgl');
    expect(model.attempts).toEqual([
      { backend: 'webgpu', outcome: 'failed', phase: 'load', reason: 'Error: webgpu unavailable' },
      { backend: 'webgl', outcome: 'selected', phase: 'load' },
    ]);
  });

  it('on a failed run moves to the next backend, retries once and emits fallback', async () => {
    const engine = scriptedEngine({ failRunOnce: ['webgpu'] });
    const model = await open(engine);
    const events: unknown[] = [];
    model.on('fallback', (e) => events.push(e));
    const out = await model.run(x(21));
    expect(out.y!.data[0]).toBe(42);
    expect(model.backend).toBe('webgl');
    expect(events).toEqual([{ from: 'webgpu', to: 'webgl', reason: expect.stringContaining('kernel missing') }]);
    expect(engine.log).toEqual(['create:webgpu', 'run:webgpu', 'dispose:webgpu', 'create:webgl', 'run:webgl']);
  });

  it('fails with every cause when no later backend works', async () => {
    const model = await open(scriptedEngine({ failRunOnce: ['webgpu'], failCreate: ['webgl', 'wasm'] }));
    const error = await model.run(x(1)).catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.attempts.map((a: { backend: string; outcome: string }) => `${a.backend}:${a.outcome}`)).toEqual([
      'webgpu:failed',
      'webgl:failed',
      'wasm:failed',
    ]);
  });

  it('runs queued calls one at a time, in order', async () => {
    const engine = scriptedEngine({ slowMs: 5 });
    const model = await open(engine, ['wasm']);
    const outs = await Promise.all([1, 2, 3].map((v) => model.run(x(v))));
    expect(outs.map((o) => o.y!.data[0])).toEqual([2, 4, 6]);
    expect(engine.log.filter((l) => l.startsWith('run'))).toHaveLength(3);
  });

  it('rejects runs after dispose with a DisposedError', async () => {
    const model = await open(scriptedEngine({}), ['wasm']);
    await model.dispose();
    await expect(model.run(x(1))).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });
});

describe("select: 'fastest'", () => {
  it('times every working backend, keeps the fastest, releases the others and records each median', async () => {
    const engine = scriptedEngine({ msBy: { webgpu: 30, webgl: 15, wasm: 2 } });
    const model = await openFastest(engine);
    expect(model.backend).toBe('wasm');
    expect(model.attempts.map((a) => [a.backend, a.outcome])).toEqual([
      ['webgpu', 'slower'],
      ['webgl', 'slower'],
      ['wasm', 'selected'],
    ]);
    const ms = Object.fromEntries(model.attempts.map((a) => [a.backend, a.probeMs!]));
    expect(ms.wasm).toBeLessThan(ms.webgl!);
    expect(ms.webgl).toBeLessThan(ms.webgpu!);
    expect(model.attempts[0]!.reason).toMatch(/ms per run vs .* ms on wasm/);
    expect(engine.log.filter((l) => l.startsWith('dispose')).sort()).toEqual(['dispose:webgl', 'dispose:webgpu']);
    expect(engine.log.filter((l) => l === 'run:wasm')).toHaveLength(4); // 1 warm-up + 3 timed
    expect(model.preferences).toEqual(['wasm', 'webgl', 'webgpu']);
  });

  it('treats a backend whose probe run fails as failed, and falls back to the next fastest at run time', async () => {
    const engine = scriptedEngine({ msBy: { webgpu: 1, webgl: 12, wasm: 6 }, failRun: ['webgpu'], failCreate: [] });
    const model = await openFastest(engine);
    expect(model.attempts.map((a) => `${a.backend}:${a.outcome}`)).toEqual(['webgpu:failed', 'webgl:slower', 'wasm:selected']);
    expect(model.attempts[0]!.reason).toMatch(/^probe run failed: .*kernel missing/);
    expect(model.preferences).toEqual(['wasm', 'webgl', 'webgpu']);
  });

  it('fails with every cause when no backend survives its probe', async () => {
    const error = await openFastest(scriptedEngine({ failCreate: ['webgpu'], failRun: ['webgl', 'wasm'] })).catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.message).toMatch(/webgpu: failed[\s\S]*webgl: failed \(probe run failed[\s\S]*wasm: failed \(probe run failed/);
  });
});
