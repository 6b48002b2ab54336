import { describe, expect, it } from 'vitest';
import type { BackendName, Engine, EngineSession, ModelArtifact } from './engine.js';
import type { CanaryVerdict } from './canary-guard.js';
import { DEFAULT_CANARY } from './canary.js';
import { LocalModel } from './model.js';
import { tensor, type NamedTensors } from './tensor.js';

/**
 * A canary guarded inside LocalModel, with a scripted engine: the canary artifact ('canary') and
 * its reference ('previous') answer as told; the verdict swaps the model to the previous version
 * (rolled back) or lets it go (passed), calls the store, and emits 'canary'.
 */
function engine(canary: 'fails' | 'same'): Engine {
  return {
    name: 'scripted',
    backends: ['wasm'],
    companionFiles: () => [],
    async createSession(artifact: ModelArtifact, backend: BackendName): Promise<EngineSession> {
      const isCanary = artifact.entry === 'canary';
      return {
        backend,
        inputs: [{ name: 'x', type: 'float32', dims: [1, 2] }],
        outputs: [{ name: 'y', type: 'float32', dims: [1, 2] }],
        async run(inputs: NamedTensors) {
          if (isCanary && canary === 'fails') throw new Error('canary broke');
          const v = inputs.x!.data[0] as number;
          return { y: tensor('float32', [v, 1 - v], [1, 2]), source: tensor('float32', [isCanary ? 1 : 0], [1]) };
        },
        async dispose() {},
      };
    },
  };
}
const artifact = (entry: string): ModelArtifact => ({ entry, files: { [entry]: new Uint8Array(1) } });

async function openCanary(kind: 'fails' | 'same', extra: { crashes?: number } = {}) {
  const store: string[] = [];
  const model = await LocalModel.open(engine(kind), artifact('canary'), {
    backends: ['wasm'],
    session: {},
    validation: {},
    version: '1.2.0',
    canary: {
      reference: artifact('previous'),
      previous: '1.1.0',
      options: { ...DEFAULT_CANARY, minRuns: 3, passRuns: 5, maxCrashes: 1 },
      rollback: async () => void store.push('rollback'),
      passed: async () => void store.push('passed'),
      ...extra,
    },
  });
  const verdicts: CanaryVerdict[] = [];
  model.on('canary', (v) => void verdicts.push(v));
  return { model, store, verdicts };
}
const x = (v: number) => ({ x: tensor('float32', [v, 0], [1, 2]) });
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('LocalModel canary', () => {
  it('a failing canary is rolled back after its minimum runs: the model runs the previous version, the store is told, one event', async () => {
    const { model, store, verdicts } = await openCanary('fails');
    expect(model.version).toBe('1.2.0');
    expect(model.guardedVersion).toBe('1.2.0');
    expect((await model.health()).canary).toMatchObject({ state: 'guarding', version: '1.2.0', previous: '1.1.0' });
    for (let i = 0; i < 3; i++) await model.run(x(0.3)).catch(() => undefined);
    await settle();
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ outcome: 'rolled-back', version: '1.2.0', previous: '1.1.0' });
    expect(verdicts[0]!.rollbackError).toBeUndefined();
    expect(store).toEqual(['rollback']);
    expect(model.version).toBe('1.1.0');
    expect(model.guardedVersion).toBeUndefined();
    expect((await model.health()).canary).toMatchObject({ state: 'rolled-back' });
    // Runs now go to the previous version.
    expect((await model.run(x(0.3))).source!.data[0]).toBe(0);
    await model.dispose();
  });

  it('a canary that matches its reference passes after passRuns: the store records it, the model keeps the canary', async () => {
    const { model, store, verdicts } = await openCanary('same');
    for (let i = 0; i < 5; i++) expect((await model.run(x(i / 10))).source!.data[0]).toBe(1);
    await settle();
    expect(verdicts.map((v) => v.outcome)).toEqual(['passed']);
    expect(store).toEqual(['passed']);
    expect(model.version).toBe('1.2.0');
    expect(model.guardedVersion).toBeUndefined();
    await model.dispose();
  });

  it('a canary that already crashed as many workers as allowed is rolled back at load, before its first run; the event comes after open()', async () => {
    const { model, store, verdicts } = await openCanary('same', { crashes: 1 });
    expect(verdicts).toEqual([]);
    await settle();
    expect(verdicts.map((v) => v.outcome)).toEqual(['rolled-back']);
    expect(store).toEqual(['rollback']);
    expect(model.version).toBe('1.1.0');
    expect((await model.run(x(0.5))).source!.data[0]).toBe(0);
    await model.dispose();
  });
});
