import type { BackendAttempt } from '@edgewise/core';

/** "wasm (measured fastest: wasm 0.41 ms, webgpu 12.3 ms per run)", or why others were not used. */
export function describeBackends(attempts: readonly BackendAttempt[]): string {
  const selected = attempts.find((a) => a.outcome === 'selected');
  const timed = attempts.filter((a) => a.probeMs !== undefined);
  const notes = [
    ...(timed.length > 1 ? [`measured fastest: ${timed.map((a) => `${a.backend} ${a.probeMs!.toFixed(2)} ms`).join(', ')} per run`] : []),
    ...attempts.filter((a) => a.outcome === 'failed' || a.outcome === 'skipped').map((a) => `${a.backend} ${a.outcome}`),
  ];
  return `${selected?.backend ?? '?'}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}
