import type { FastifyInstance } from 'fastify';
import { configFromEnv, type CollectorConfig } from './config.js';
import { openPglite, openPostgres, type Database } from './database.js';
import { buildServer } from './server.js';

export interface RunningCollector {
  url: string;
  server: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

/**
 * Starts a collector: PostgreSQL when `databaseUrl` is set, else embedded PGlite.
 *
 * @example
 * const collector = await startCollector({ port: 0, dataDir: undefined }); // in-memory PGlite, random port
 */
export async function startCollector(overrides: Partial<CollectorConfig> = {}): Promise<RunningCollector> {
  const config = { ...configFromEnv(), ...overrides };
  const db = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
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
