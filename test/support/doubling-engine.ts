import { tensor, type BackendName, type Engine, type EngineSession, type NamedTensors } from '@edgewise/core';

/**
 * An engine as a user of the SDK would write one: three backends, doubles its input, and, like most
 * runtimes, throws a plain Error (nothing Edgewise could classify) for an input it cannot run: an
 * empty batch fails on every backend.
 */
export function doublingEngine(backends: BackendName[] = ['webgpu', 'webgl', 'wasm']): Engine {
  return {
    name: 'doubling',
    backends,
    companionFiles: () => [],
    async createSession(_artifact, backend): Promise<EngineSession> {
      return {
        backend,
        inputs: [{ name: 'x', type: 'float32', dims: [null, 1] }],
        outputs: [{ name: 'y', type: 'float32', dims: [null, 1] }],
        async run(inputs: NamedTensors) {
          const x = inputs.x!;
          if (x.dims[0] === 0) throw new Error(`doubling/${backend}: cannot run an empty batch`);
          return { y: tensor('float32', Float32Array.from(x.data as Float32Array, (v) => v * 2), [...x.dims]) };
        },
        async dispose() {},
      };
    },
  };
}

export const x = (...values: number[]) => ({ x: tensor('float32', values, [values.length, 1]) });
export const emptyBatch = () => ({ x: tensor('float32', [], [0, 1]) });
