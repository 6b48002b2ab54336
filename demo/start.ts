/**
 * `npm start`: the demo app (Vite, cross-origin isolated) and the collector on its embedded
 * default (PGlite in .collector-data), in one process.
 */
import { startCollector, DEMO_APP } from '@edgewise/collector';
import { createServer } from 'vite';

const collector = await startCollector({ port: Number(process.env.COLLECTOR_PORT ?? 8787) });
const vite = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname });
await vite.listen();
console.log(`\n  Edgewise demo       ${vite.resolvedUrls?.local[0] ?? ''}`);
console.log(`  Collector dashboard ${collector.url}/?key=${DEMO_APP.readKey}  (${collector.db.kind}; ingest key "${DEMO_APP.ingestKey}")\n`);

const stop = async () => {
  await vite.close();
  await collector.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
