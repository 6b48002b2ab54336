/**
 * The raw engines in a worker, driven by plain postMessage with buffers transferred both ways: the
 * least any app can do to run a model off the main thread, so Edgewise's worker call is compared
 * with that (not with another RPC library).
 */
import type { Tensor } from '@edgewise/core';
import { benchModel } from './bench-models.js';
import type { CellSpec } from './cell.js';
import { openRaw, type OutputData, type Runner } from './raw-runner.js';

export type RawWorkerRequest =
  | { type: 'open'; modelId: string; backend: CellSpec['backend']; threads: number }
  | { type: 'run'; inputs: Tensor[] }
  | { type: 'dispose' };
export type RawWorkerReply = { type: 'opened'; ranOn: string } | { type: 'outputs'; outputs: OutputData; computeMs: number } | { type: 'disposed' } | { type: 'error'; message: string };

let runner: Runner | undefined;
const reply = (message: RawWorkerReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

self.onmessage = async ({ data }: MessageEvent<RawWorkerRequest>) => {
  try {
    if (data.type === 'open') {
      runner = await openRaw(benchModel(data.modelId), data.backend, data.threads);
      reply({ type: 'opened', ranOn: runner.ranOn });
    } else if (data.type === 'run') {
      // The run's own time inside the worker, so the page can tell compute from the thread hand-off.
      const started = performance.now();
      const outputs = (await runner!.run(data.inputs)) as OutputData;
      const computeMs = performance.now() - started;
      reply({ type: 'outputs', outputs, computeMs }, [...new Set(outputs.map((o) => o.buffer as ArrayBuffer))]);
    } else {
      await runner?.dispose();
      runner = undefined;
      reply({ type: 'disposed' });
    }
  } catch (error) {
    reply({ type: 'error', message: String(error) });
  }
};
