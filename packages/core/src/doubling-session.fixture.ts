import type { BackendName, EngineSession } from './engine.js';
import { tensor, type NamedTensors } from './tensor.js';

/** Test fixture (not built): an engine session on `backend` whose model doubles its one input, x → y. */
export function doublingSession(backend: BackendName): EngineSession {
  return {
    backend,
    inputs: [{ name: 'x', type: 'float32', dims: [1] }],
    outputs: [{ name: 'y', type: 'float32', dims: [1] }],
    async run(inputs: NamedTensors) {
      return { y: tensor('float32', [(inputs.x!.data[0] as number) * 2], [1]) };
    },
    async dispose() {},
  };
}
