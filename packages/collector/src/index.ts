export { startCollector, openDatabase, type RunningCollector } from './collector.js';
export { buildServer } from './server.js';
export { driftFor } from './drift.js';
export { configFromEnv, DEFAULTS, DEMO_APP, type AppKeys, type CollectorConfig } from './config.js';
export { openPglite, openPostgres, type Database, type Query } from './database.js';
export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { pruneExpired, type PruneResult } from './retention.js';
export { rollUp, rollUpAll } from './rollup.js';
export { CollectorError, DatabaseUnavailableError, ReportInvalidError, ReportRefusedError, BaselineInvalidError, type CollectorErrorCode } from './errors.js';
