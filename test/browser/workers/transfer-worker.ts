/**
 * The Edgewise worker with each engine session's outputs remembered, so a test can ask (over a
 * BroadcastChannel named after the worker) whether those buffers are detached here: a transferred
 * ArrayBuffer is, a copied one is not. Only the worker side can tell the two apart.
 */
import type { Engine, NamedTensors } from '@edgewise/core';
import { createBrowserEngines, serveModels } from '@edgewise/web';

const outputs: NamedTensors[] = [];

const remembering = (engine: Engine): Engine => ({
  name: engine.name,
  backends: engine.backends,
  companionFiles: (entry, bytes) => engine.companionFiles(entry, bytes),
  async createSession(artifact, backend, options) {
    const session = await engine.createSession(artifact, backend, options);
    const run = async (...args: Parameters<typeof session.run>) => {
      const out = await session.run(...args);
      outputs.push(out);
      return out;
    };
    // A Proxy, not a copy: the session may be a class instance with private state.
    return new Proxy(session, {
      get: (target, key) => {
        if (key === 'run') return run;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  },
});

serveModels({ createEngines: (config) => createBrowserEngines(config).map(remembering) });

const control = new BroadcastChannel(self.name);
control.onmessage = ({ data }: MessageEvent<{ id: number }>) =>
  control.postMessage({ id: data.id, value: outputs.map((o) => Object.fromEntries(Object.entries(o).map(([name, t]) => [name, (t.data as Float32Array).buffer.byteLength]))) });
