import type { FastifyInstance } from 'fastify';
import { configFromEnv, type CollectorConfig } from './config.js';
import { openPglite, openPostgres, type Database } from './database.js';
import { migrate } from './migrations.js';
import { buildServer } from './server.js';

export interface RunningCollector {
  url: string;
  server: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

/** Opens the configured database (PostgreSQL when `databaseUrl` is set, else embedded PGlite) and migrates it. */
export async function openDatabase(config: Pick<CollectorConfig, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'databaseTimeoutMs'>): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, { poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs })
    : await openPglite(config.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/**
 * Starts a collector: PostgreSQL when `databaseUrl` is set, else embedded PGlite; migrates the
 * schema first (safe when several processes start at once).
 *
 * @example
 * const collector = await startCollector({ port: 0, dataDir: undefined }); // in-memory PGlite, random port
 */
export async function startCollector(overrides: Partial<CollectorConfig> = {}): Promise<RunningCollector> {
  const config = { ...configFromEnv(), ...overrides };
  const db = await openDatabase(config);
  const server = buildServer(config, db);
  const address = await server.listen({ port: config.port, host: config.host });
  return {
    url: address,
    server,
    db,
    async close() {
      await server.close();
      await db.close();
    },
  };
}
