import { createRuntime, runIdOf, type Engine, type NamedTensors, type Runtime } from '@edgewise/core';
import { serializeError, transferablesOf, type LocalModel } from '@edgewise/core/internal';
import { lazyModelMonitor } from '@edgewise/drift/lazy';
import { BrowserStore, ModelCache } from '@edgewise/store';
import * as Comlink from 'comlink';
import { createBrowserEngines } from './browser-engines.js';
import { installErrorTransfer } from './error-transfer.js';
import { PROTOCOL_VERSION, RUN_TAG, type RunPortReply, type RunPortRequest, type WorkerApi, type WorkerEngineConfig, type WorkerModelState } from './worker-protocol.js';

export interface ServeModelsOptions {
  /**
   * The engines this worker runs models with. Default: createBrowserEngines(config). Tests pass
   * engines wrapped in fault injectors here (see @edgewise/core/testing), in a worker entry of their own.
   */
  createEngines?: (config: WorkerEngineConfig) => Engine[];
}

function stateOf(model: LocalModel): WorkerModelState {
  return {
    engine: model.engine,
    ...(model.version !== undefined ? { version: model.version } : {}),
    backend: model.backend,
    status: model.state,
    attempts: [...model.attempts],
    preferences: [...model.preferences],
    inputs: [...model.inputs],
    outputs: [...model.outputs],
    ...(model.guardedVersion !== undefined ? { guarding: model.guardedVersion } : {}),
  };
}

/**
 * Serves models to the main thread from this worker. It hosts them with the same LocalModel the main
 * thread uses, so fallback, validation, queuing and recovery behave identically in both places.
 * `@edgewise/web/worker` calls this; a worker entry of your own may call it with other engines.
 */
export function serveModels(options: ServeModelsOptions = {}): void {
  installErrorTransfer();
  const createEngines = options.createEngines ?? createBrowserEngines;
  const runtimeFor = (config: WorkerEngineConfig = {}) => createRuntime({ engines: createEngines(config), models: new ModelCache(new BrowserStore(config.storeName)), monitoring: lazyModelMonitor });
  let runtime: Runtime = runtimeFor();
  const models = new Map<number, LocalModel>();
  /** Per model: how many attempts and which status the main thread has seen. */
  const seen = new Map<number, string>();
  /** Inputs of runs that have not succeeded (yet): kept so a wedged run's inputs can be handed back. */
  const inFlightInputs = new Map<number, NamedTensors>();
  /** Fallbacks during a model's current run: they travel in its reply, so they arrive in order with it. */
  const fallbacks = new Map<number, Array<{ from: string; to: string; reason: string }>>();
  const takeFallbacks = (id: number) => {
    const list = fallbacks.get(id);
    if (!list?.length) return undefined;
    fallbacks.set(id, []);
    return list;
  };

  const modelById = (id: number): LocalModel => {
    const model = models.get(id);
    if (!model) throw new RangeError(`No model with id ${id} in this worker (disposed, or loaded in a worker that has since been replaced).`);
    return model;
  };
  /** The model's state, if the main thread has not seen it yet (attempts only grow, so count + status tells). */
  const changedState = (id: number, model: LocalModel): WorkerModelState | undefined => {
    const mark = `${model.attempts.length}:${model.state}:${model.version}:${model.guardedVersion}`;
    if (seen.get(id) === mark) return undefined;
    seen.set(id, mark);
    return stateOf(model);
  };

  async function run(seq: number, id: number, inputs: NamedTensors, runId?: string): Promise<void> {
    const model = models.get(id);
    let reply: RunPortReply;
    try {
      if (!model) modelById(id);
      inFlightInputs.set(id, inputs);
      const outputs = await model!.run(inputs, runId === undefined ? undefined : { runId });
      inFlightInputs.delete(id);
      // The run's id rides on the outputs under a symbol, which structured cloning drops: sent beside them.
      reply = { tag: RUN_TAG, type: 'result', seq, outputs, runId: runIdOf(outputs), state: changedState(id, model!), fallbacks: takeFallbacks(id) };
      post(reply, transferablesOf(outputs));
      return;
    } catch (error) {
      reply = { tag: RUN_TAG, type: 'error', seq, error: serializeError(error), state: model && changedState(id, model), fallbacks: takeFallbacks(id) };
    }
    post(reply);
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
      fallbacks.set(id, []);
      model.on('fallback', (e) => fallbacks.get(id)?.push(e));
      // A verdict comes between runs (after a reference run), so it is sent at once rather than with a run's reply.
      model.on('canary', (verdict) => void onEvent({ type: 'canary', verdict, ...(model.version !== undefined ? { version: model.version } : {}) }));
      await models.get(id)?.dispose();
      models.set(id, model);
      seen.delete(id);
      return changedState(id, model)!;
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
    takeWindows: (id, includeOpen) => modelById(id).takeWindows({ includeOpen }),
    feedback: (id, runId, label) => modelById(id).feedback(runId, label),
    async dispose(id) {
      await models.get(id)?.dispose();
      models.delete(id);
      seen.delete(id);
      inFlightInputs.delete(id);
      fallbacks.delete(id);
    },
  };

  const scope = self as unknown as Worker;
  const post = (reply: RunPortReply, transfer: Transferable[] = []) => scope.postMessage(reply, transfer);
  scope.addEventListener('message', (event: MessageEvent<RunPortRequest>) => {
    const message = event.data;
    if (message?.tag !== RUN_TAG) return;
    if (message.type === 'ping') post({ tag: RUN_TAG, type: 'pong', seq: message.seq });
    else void run(message.seq, message.id, message.inputs, message.runId);
  });
  Comlink.expose(api, withoutRunMessages(scope));
}

/** The worker's endpoint as comlink should see it: every message but the tagged runs and heartbeats. */
function withoutRunMessages(scope: Worker): Comlink.Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, EventListener>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => scope.postMessage(message, transfer ?? []),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const filtered = (event: Event) => {
        if ((event as MessageEvent).data?.tag === RUN_TAG) return;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, filtered);
      scope.addEventListener(type, filtered);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const filtered = wrapped.get(listener);
      if (filtered) scope.removeEventListener(type, filtered);
    },
  };
}
