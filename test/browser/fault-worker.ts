/**
 * A worker entry for tests: the Edgewise worker with its engines wrapped in fault injectors, under
 * remote control over a BroadcastChannel named after the worker (see fault-remote.ts).
 */
import { withFaults, type Fault, type FaultyEngine } from '@edgewise/core/testing';
import { createBrowserEngines, serveModels } from '@edgewise/web';
import { destroyGpuDevices } from './gpu-devices.js';

const engines = new Map<string, FaultyEngine>();
serveModels({
  createEngines: (config) =>
    createBrowserEngines(config).map((engine) => {
      const faulty = withFaults(engine);
      engines.set(engine.name, faulty);
      return faulty;
    }),
});

type Command = { id: number; engine?: string } & ({ cmd: 'inject'; fault: Fault } | { cmd: 'clear' } | { cmd: 'sessions' } | { cmd: 'destroy-gpu' } | { cmd: 'close' });

const control = new BroadcastChannel(self.name);
control.onmessage = async ({ data }: MessageEvent<Command>) => {
  const engine = engines.get(data.engine ?? 'onnx');
  const reply = (value?: unknown) => control.postMessage({ id: data.id, value });
  switch (data.cmd) {
    case 'inject':
      engine!.faults.inject(data.fault);
      return reply();
    case 'clear':
      for (const e of engines.values()) e.faults.clear();
      return reply();
    case 'sessions':
      return reply({ ...engine!.faults.sessions });
    case 'destroy-gpu':
      await destroyGpuDevices();
      return reply();
    case 'close':
      // Dies without an error event, as a worker the browser kills would.
      reply();
      return self.close();
  }
};
