/**
 * `npm start`: the demo app (Vite, cross-origin isolated) and the collector on its embedded
 * default (PGlite in .collector-data), in one process.
 */
import { DEMO_APP } from '@edgewise/collector';
import { startDemo } from './servers.js';

const demo = await startDemo({ collectorPort: Number(process.env.COLLECTOR_PORT ?? 8787), vitePort: Number(process.env.PORT ?? 5173) });
console.log(`\n  Edgewise demo       ${demo.url}`);
console.log(`  Collector dashboard ${demo.collector.url}/  (read key "${DEMO_APP.readKey}"; ${demo.collector.db.kind}; ingest key "${DEMO_APP.ingestKey}", admin key "${DEMO_APP.adminKey}")\n`);

const stop = async () => {
  await demo.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
