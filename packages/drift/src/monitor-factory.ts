import { ModelSourceError, describeError, type CreateObserver } from '@edgewise/core';
import { parseBaseline } from './baseline.js';
import { WindowedMonitor as ModelMonitor } from './windowed-monitor.js';

/**
 * Builds a model's monitor from its `monitor` option, fetching the baseline when it is a URL. What
 * runtimes call through `createRuntime({ monitoring })`; the platform runtimes load it on demand.
 */
export const createModelMonitor: CreateObserver = async (config, read) => {
  if (!config) return new ModelMonitor();
  if (typeof config.baseline !== 'string') return new ModelMonitor({ ...config, baseline: config.baseline && parseBaseline(config.baseline) });
  const url = config.baseline;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await read(url)));
  } catch (cause) {
    throw new ModelSourceError(`Could not read the monitor baseline ${url}: ${describeError(cause)}`, { cause });
  }
  return new ModelMonitor({ ...config, baseline: parseBaseline(json) });
};
