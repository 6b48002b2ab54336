import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_APP, startCollector, type CollectorConfig, type RunningCollector } from '@edgewise/collector';
import { createServer, type ViteDevServer } from 'vite';

const mnistDir = fileURLToPath(new URL('../models/generated/mnist/', import.meta.url));

/**
 * The demo's two servers: the Vite app and the collector on its embedded default (PGlite), with the
 * MNIST baselines registered so the dashboard can show drift.
 */
export async function startDemo(options: { collectorPort?: number; vitePort?: number; collector?: Partial<CollectorConfig> } = {}): Promise<{
  vite: ViteDevServer;
  collector: RunningCollector;
  url: string;
  close(): Promise<void>;
}> {
  // Configured from the environment (COLLECTOR_DATA_DIR, DATABASE_URL…) unless overridden.
  // The demo runs in development mode (privacy off: exact, live, one report per collect) so the
  // dashboard fills in seconds; a deployed collector keeps the default (README "Privacy").
  const collector = await startCollector({ port: options.collectorPort ?? 8787, privacy: false, ...options.collector });
  const manifest = JSON.parse(await readFile(`${mnistDir}manifest.json`, 'utf8'));
  const baseline = await readFile(`${mnistDir}baseline.json`);
  for (const version of Object.keys(manifest.versions)) {
    const r = await fetch(`${collector.url}/v1/baselines/mnist/${version}`, { method: 'PUT', body: baseline, headers: { authorization: `Bearer ${DEMO_APP.adminKey}`, 'content-type': 'application/json' } });
    if (r.status !== 204) throw new Error(`registering the mnist ${version} baseline failed: HTTP ${r.status}`);
  }
  const vite = await createServer({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    server: { port: options.vitePort ?? 5173 },
    // Tells the page where the collector listens, without touching this process's environment.
    define: { __COLLECTOR_PORT__: JSON.stringify(new URL(collector.url).port) },
  });
  await vite.listen();
  return {
    vite,
    collector,
    url: vite.resolvedUrls?.local[0] ?? '',
    async close() {
      await vite.close();
      await collector.close();
    },
  };
}
