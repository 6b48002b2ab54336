/** The raw engines in a worker, over comlink with transferred buffers: a fair baseline for Edgewise's worker. */
import type { Tensor } from '@edgewise/core';
import * as Comlink from 'comlink';
import { benchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import { openRaw, type OutputData, type Runner } from './raw-runner.js';

let runner: Runner | undefined;
const api = {
  async open(modelId: string, backend: CellSpec['backend'], threads: number) {
    runner = await openRaw(benchModel(modelId), backend, threads);
    return runner.ranOn;
  },
  /** Outputs come back transferred, as Edgewise's worker sends them: the baseline does the same work. */
  async run(inputs: Tensor[]) {
    const outputs = (await runner!.run(inputs)) as OutputData;
    return Comlink.transfer(outputs, [...new Set(outputs.map((o) => o.buffer as ArrayBuffer))]);
  },
  async dispose() {
    await runner?.dispose();
    runner = undefined;
  },
};
export type RawWorkerApi = typeof api;
Comlink.expose(api);
