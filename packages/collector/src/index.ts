export { startCollector, type RunningCollector } from './collector.js';
export { buildServer, driftFor } from './server.js';
export { configFromEnv, DEMO_APP, type AppKeys, type CollectorConfig } from './config.js';
export { openPglite, openPostgres, type Database } from './database.js';
export { mergeBodies, type MergedBody } from './merge.js';
