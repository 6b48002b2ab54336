/** The raw engines in a worker, over comlink with transferred buffers: a fair baseline for Edgewise's worker. */
import type { Tensor } from '@edgewise/core';
import * as Comlink from 'comlink';
import { benchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import { openRaw, type Runner } from './raw-runner.js';

let runner: Runner | undefined;
const api = {
  async open(modelId: string, backend: CellSpec['backend'], threads: number) {
    runner = await openRaw(benchModel(modelId), backend, threads);
    return runner.ranOn;
  },
  async run(inputs: Tensor[]) {
    await runner!.run(inputs);
  },
  async dispose() {
    await runner?.dispose();
    runner = undefined;
  },
};
export type RawWorkerApi = typeof api;
Comlink.expose(api);
