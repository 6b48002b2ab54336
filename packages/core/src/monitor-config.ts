import { ModelMonitor, parseBaseline } from '@edgewise/drift';
import { ModelSourceError, describeError } from './errors.js';
import type { MonitorConfig } from './load-options.js';
import type { ReadBytes } from './model-source.js';

/** Builds the model's monitor, fetching the baseline when it is given as a URL. */
export async function createMonitor(config: MonitorConfig | false | undefined, read: ReadBytes): Promise<ModelMonitor | false> {
  if (config === false) return false;
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
}
