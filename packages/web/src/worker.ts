/**
 * The Edgewise worker entry (`@edgewise/web/worker`). It hosts models with the same LocalModel the
 * main thread uses, so fallback, validation and queuing behave identically in both places.
 */
import { createRuntime, transferablesOf, type LocalModel, type NamedTensors, type Runtime } from '@edgewise/core';
import * as Comlink from 'comlink';
import { createBrowserEngines } from './browser-engines.js';
import { installErrorTransfer } from './error-transfer.js';
import { PROTOCOL_VERSION, type WorkerApi, type WorkerEngineConfig, type WorkerModelState } from './worker-protocol.js';
import { BrowserStore, ModelCache } from '@edgewise/store';

installErrorTransfer();

const runtimeFor = (config: WorkerEngineConfig = {}) =>
  createRuntime({ engines: createBrowserEngines(config), models: new ModelCache(new BrowserStore(config.storeName)) });
let runtime: Runtime = runtimeFor();
const models = new Map<number, LocalModel>();
/** Per model: how many attempts the main thread has seen (sent with load, or with a run). */
const sentAttempts = new Map<number, number>();
let crashOnNextRun = false;
/** Inputs of runs that have not succeeded (yet): kept so a wedged run's inputs can be handed back. */
const inFlightInputs = new Map<number, NamedTensors>();

function stateOf(model: LocalModel): WorkerModelState {
  return {
    engine: model.engine,
    backend: model.backend,
    attempts: [...model.attempts],
    preferences: [...model.preferences],
    inputs: [...model.inputs],
    outputs: [...model.outputs],
  };
}

function modelById(id: number): LocalModel {
  const model = models.get(id);
  if (!model) throw new RangeError(`No model with id ${id} in this worker (disposed, or loaded in a worker that has since restarted).`);
  return model;
}

const api: WorkerApi = {
  protocolVersion: () => PROTOCOL_VERSION,
  configure(config) {
    runtime = runtimeFor(config);
  },
  async load(id, request, onEvent) {
    const model = (await runtime.loadModel({
      ...request,
      worker: false,
      onBackendAttempt: (attempt) => void onEvent({ type: 'backend-attempt', attempt }),
      onProgress: (p) => void onEvent({ type: 'progress', ...p }),
    })) as LocalModel;
    model.on('fallback', (e) => void onEvent({ type: 'fallback', ...e }));
    models.set(id, model);
    sentAttempts.set(id, model.attempts.length);
    return stateOf(model);
  },
  async run(id, inputs: NamedTensors) {
    if (crashOnNextRun) {
      crashOnNextRun = false;
      setTimeout(() => {
        throw new Error('Simulated worker crash (crashOnNextRun)');
      });
      return new Promise<never>(() => {});
    }
    const model = modelById(id);
    inFlightInputs.set(id, inputs);
    const outputs = await model.run(inputs);
    inFlightInputs.delete(id);
    // Attempts only grow, and only on a fallback: their count tells whether the state changed.
    const changed = sentAttempts.get(id) !== model.attempts.length;
    sentAttempts.set(id, model.attempts.length);
    return Comlink.transfer(changed ? { outputs, state: stateOf(model) } : { outputs }, transferablesOf(outputs));
  },
  reclaimInputs(id) {
    const inputs = inFlightInputs.get(id);
    inFlightInputs.delete(id);
    return inputs && Comlink.transfer(inputs, transferablesOf(inputs));
  },
  drift: (id) => modelById(id).drift(),
  health: (id) => modelById(id).health(),
  async snapshot(id, reset) {
    const bytes = await modelById(id).snapshot({ reset });
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  aggregates: (id, reset) => modelById(id).aggregates({ reset }),
  async dispose(id) {
    await models.get(id)?.dispose();
    models.delete(id);
    sentAttempts.delete(id);
  },
  crashOnNextRun() {
    crashOnNextRun = true;
  },
  simulateDeviceLoss: () => runtime.simulateDeviceLoss(),
};

Comlink.expose(api);
