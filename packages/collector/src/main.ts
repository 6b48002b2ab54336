import { startCollector } from './collector.js';
import { configFromEnv } from './config.js';

/** `edgewise-collector`: configuration from the environment (see README, "Collector"). */
export async function main(): Promise<void> {
  const config = configFromEnv();
  const collector = await startCollector(config);
  console.log(`edgewise collector on ${collector.url} (${collector.db.kind}${config.databaseUrl ? '' : `, data in ${config.dataDir ?? 'memory'}`}); apps: ${config.apps.map((a) => a.app).join(', ')}`);
  const stop = async () => {
    await collector.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
