import { type BackendName, type LoadModelOptions, type Model } from '@edgewise/core';
import { withFaults, type Fault, type FaultyEngine, type SessionCounts } from '@edgewise/core/testing';
import { createBrowserEngines, createWebRuntime } from '@edgewise/web';
import { ORT_WASM_PATHS, TFJS_WASM_PATHS } from '../../bench/matrix/wasm-paths.js';
import { FaultRemote } from './fault-remote.js';
import { MODELS } from './fixtures.js';
import { destroyGpuDevices } from './gpu-devices.js';

/** The same controls whether the engines run in this thread or in the (fault) worker. */
export interface Faults {
  inject(fault: Fault, engine?: string): Promise<void>;
  clear(): Promise<void>;
  sessions(engine?: string): Promise<SessionCounts>;
  destroyGpu(): Promise<void>;
}

export interface FaultCell {
  model: Model;
  faults: Faults;
  /** Workers started for this model so far (worker cells): a relocation adds one. */
  workers: Worker[];
  remote: FaultRemote;
  events: string[];
  /** Lifecycle transitions, 'from→to'. */
  states: string[];
  counters(): Promise<{ runs: number; errors: number; rejected: number; fallbacks: number }>;
  close(): Promise<void>;
}

/** Short deadlines so hangs show quickly; first runs (shader compilation on SwiftShader, a loaded CI machine) get plenty. */
export const RECOVERY = { runTimeoutMs: 1500, firstRunTimeoutMs: 30_000, retryBaseMs: 150, retryMaxMs: 2000 };

/** Loads the tiny MLP (ONNX or TF.js) on `backends`, with fault injectors on the side it runs. */
export async function faultCell(options: { engine: 'onnx' | 'tfjs'; backends: BackendName[]; worker: boolean } & Partial<LoadModelOptions>): Promise<FaultCell> {
  const remote = new FaultRemote();
  const local = new Map<string, FaultyEngine>();
  const config = { ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS };
  const engines = createBrowserEngines(config).map((e) => {
    const faulty = withFaults(e);
    local.set(e.name, faulty);
    return faulty;
  });
  const runtime = createWebRuntime({ ...config, engines, createWorker: remote.createWorker, heartbeatMs: 250, missedHeartbeats: 8 });
  const source = options.engine === 'onnx' ? `${MODELS}/model.onnx` : `${MODELS}/tfjs/model.json`;
  const { engine, backends, worker, ...rest } = options;
  const model = await runtime.loadModel({ source, engine, backends, worker, recovery: RECOVERY, ...rest });
  const events: string[] = [];
  const states: string[] = [];
  model.on('fallback', (e) => events.push(`fallback ${e.from}→${e.to}`));
  model.on('state', (e) => states.push(`${e.from}→${e.to}`));
  const faults: Faults = worker
    ? remote
    : {
        inject: async (fault, name = 'onnx') => local.get(name)!.faults.inject(fault),
        clear: async () => local.forEach((e) => e.faults.clear()),
        sessions: async (name = 'onnx') => ({ ...local.get(name)!.faults.sessions }),
        destroyGpu: destroyGpuDevices,
      };
  return {
    model,
    faults,
    remote,
    workers: remote.workers,
    events,
    states,
    counters: async () => (await model.health()).counters,
    async close() {
      await model.dispose().catch(() => undefined);
      runtime.workers.dispose();
      remote.close();
    },
  };
}
