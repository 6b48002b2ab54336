import type { LoadModelOptions } from '@edgewise/core';
import type { WorkerLoadRequest } from './worker-protocol.js';

/**
 * LoadModelOptions as the worker receives them: only what clones, relative URLs made absolute
 * (inside the worker they would resolve against the worker script), validation off (inputs are
 * validated on the calling thread, before their buffers are transferred away).
 */
export function toWorkerRequest(options: LoadModelOptions): WorkerLoadRequest {
  const { source, engine, backends, numThreads, monitor, manifest, version, select, probe, probeRuns, recovery, shadow, canary } = options;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const absolute = (url: string | URL) => new URL(String(url), base).href;
  const cloneable = typeof source === 'string' || source instanceof URL ? absolute(source) : source;
  const request: WorkerLoadRequest = { source: cloneable, engine, backends, numThreads, validation: false, version, select, probe, probeRuns, recovery };
  if (canary !== undefined) request.canary = canary;
  if (manifest !== undefined) request.manifest = absolute(manifest);
  if (monitor === false) request.monitor = false;
  else if (monitor) request.monitor = typeof monitor.baseline === 'string' ? { ...monitor, baseline: absolute(monitor.baseline) } : monitor;
  if (shadow) {
    // The candidate loads inside the same worker as the active model, so its URLs resolve the same way.
    const { source: s, manifest: m } = shadow;
    request.shadow = { ...shadow, ...(typeof s === 'string' || s instanceof URL ? { source: absolute(s) } : {}), ...(m !== undefined ? { manifest: absolute(m) } : {}) };
  }
  return request;
}
