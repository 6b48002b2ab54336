import type { CreateObserver } from '@edgewise/core';

/**
 * `@edgewise/drift/lazy`: createModelMonitor, loaded on first use. The platform runtimes take this
 * by default, so bundlers split the sketch and drift code into a chunk of its own that a page whose
 * models all run with `monitor: false` never fetches.
 */
export const lazyModelMonitor: CreateObserver = async (config, read) => (await import('./monitor-factory.js')).createModelMonitor(config, read);
