/**
 * The Edgewise worker entry (`@edgewise/web/worker`). It hosts models with the same LocalModel the
 * main thread uses, so fallback, validation and queuing behave identically in both places.
 */
import { createRuntime, transferablesOf, type LocalModel, type NamedTensors, type Runtime } from '@edgewise/core';
import * as Comlink from 'comlink';
import { createBrowserEngines } from './browser-engines.js';
import { installErrorTransfer } from './error-transfer.js';
import { PROTOCOL_VERSION, type WorkerApi, type WorkerModelState } from './worker-protocol.js';

installErrorTransfer();

let runtime: Runtime = createRuntime({ engines: createBrowserEngines() });
const models = new Map<number, LocalModel>();
let crashOnNextRun = false;

function stateOf(model: LocalModel): WorkerModelState {
  return { engine: model.engine, backend: model.backend, attempts: [...model.attempts], inputs: [...model.inputs], outputs: [...model.outputs] };
}

function modelById(id: number): LocalModel {
  const model = models.get(id);
  if (!model) throw new RangeError(`No model with id ${id} in this worker (disposed, or loaded in a worker that has since restarted).`);
  return model;
}

const api: WorkerApi = {
  protocolVersion: () => PROTOCOL_VERSION,
  configure(config) {
    runtime = createRuntime({ engines: createBrowserEngines(config) });
  },
  async load(id, request, onEvent) {
    const model = (await runtime.loadModel({
      ...request,
      worker: false,
      onBackendAttempt: (attempt) => void onEvent({ type: 'backend-attempt', attempt }),
    })) as LocalModel;
    model.on('fallback', (e) => void onEvent({ type: 'fallback', ...e }));
    models.set(id, model);
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
    const outputs = await model.run(inputs);
    return Comlink.transfer({ outputs, state: stateOf(model) }, transferablesOf(outputs));
  },
  async dispose(id) {
    await models.get(id)?.dispose();
    models.delete(id);
  },
  crashOnNextRun() {
    crashOnNextRun = true;
  },
};

Comlink.expose(api);
