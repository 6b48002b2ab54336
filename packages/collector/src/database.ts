/**
 * The collector's storage: one SQL dialect (PostgreSQL) in two places. PGlite (Postgres compiled to
 * WASM) embedded by default, zero set-up; a real PostgreSQL when DATABASE_URL is set, so several
 * collectors can share it.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn in a transaction: all of its writes commit together, or none do. */
  transaction<T>(fn: (q: Database['query']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  id uuid PRIMARY KEY,
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  window_start bigint NOT NULL,
  window_end bigint NOT NULL,
  received_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS windows (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  bucket bigint NOT NULL,
  reports integer NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (app, model, model_version, bucket)
);
CREATE TABLE IF NOT EXISTS baselines (
  app text NOT NULL,
  model text NOT NULL,
  model_version text NOT NULL,
  baseline jsonb NOT NULL,
  PRIMARY KEY (app, model, model_version)
);`;

export async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  await db.exec(SCHEMA);
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  return {
    kind: 'pglite',
    query,
    transaction: (fn) => db.transaction(async (tx) => fn(async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows)),
    close: () => db.close(),
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(SCHEMA);
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[]);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
