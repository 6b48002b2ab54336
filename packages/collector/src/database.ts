import { DatabaseUnavailableError } from './errors.js';

/**
 * `name`: a prepared statement on PostgreSQL (parsed and planned once per connection, for the
 * statements run per batch and per read); ignored by PGlite.
 */
export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[], options?: { name?: string }) => Promise<T[]>;
export type Transaction = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

/**
 * The collector's storage: one SQL dialect (PostgreSQL) in two places. PGlite (Postgres compiled to
 * WASM) embedded by default, zero set-up; a real PostgreSQL when DATABASE_URL is set, so several
 * collector processes can share it. Every failure surfaces as DatabaseUnavailableError (503), with
 * the SQLSTATE when the database sent one.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** One statement (several, separated by semicolons, when there are no parameters). */
  query: Query;
  /** Runs fn in a transaction on one connection: all of its writes commit together, or none do. */
  transaction: Transaction;
  /**
   * Runs fn on one connection held for its duration, for session-level advisory locks around
   * several transactions (migrations). PGlite has one connection: there, it is the instance.
   */
  session<T>(fn: (session: { query: Query; transaction: Transaction }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Connections in the pool (PostgreSQL). */
  poolSize?: number;
  /** Statement timeout and connection-wait timeout, ms (PostgreSQL). */
  timeoutMs?: number;
}

/** Wraps whatever the driver threw (a PostgreSQL error, a refused socket, a timeout). */
export function asUnavailable(error: unknown): DatabaseUnavailableError {
  if (error instanceof DatabaseUnavailableError) return error;
  const e = error as { code?: unknown; message?: string };
  const sqlState = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  return new DatabaseUnavailableError(`database unavailable: ${e?.message ?? String(error)}`, { cause: error, sqlState });
}

const guarded =
  (run: Query): Query =>
  async (sql, params, options) => {
    try {
      return await run(sql, params, options);
    } catch (error) {
      throw asUnavailable(error);
    }
  };

/** BEGIN … COMMIT on one connection's query function; ROLLBACK when fn throws. */
const transactionOn =
  (q: Query): Transaction =>
  async (fn) => {
    await q('BEGIN');
    try {
      const result = await fn(q);
      await q('COMMIT');
      return result;
    } catch (error) {
      await q('ROLLBACK').catch(() => undefined);
      throw error;
    }
  };

export async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  await db.waitReady;
  let closed = false;
  const open = () => {
    if (closed) throw new DatabaseUnavailableError('database unavailable: the embedded database is closed');
  };
  // Without parameters, exec: it takes several statements (migrations), as pg's simple protocol does.
  type Runner = Pick<typeof db, 'query' | 'exec'>;
  const queryOn = (runner: Runner): Query =>
    guarded(async <T>(sql: string, params: unknown[] = []) => {
      open();
      return params.length ? (await runner.query<T>(sql, params)).rows : (((await runner.exec(sql)).at(-1)?.rows ?? []) as T[]);
    });
  const query = queryOn(db);
  const transaction: Transaction = async (fn) => {
    open();
    try {
      return await db.transaction((tx) => fn(queryOn(tx)));
    } catch (error) {
      throw asUnavailable(error);
    }
  };
  return {
    kind: 'pglite',
    query,
    transaction,
    session: (fn) => fn({ query, transaction }),
    close: async () => {
      closed = true;
      await db.close();
    },
  };
}

export async function openPostgres(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const { default: pg } = await import('pg');
  const timeout = options.timeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeout,
    statement_timeout: timeout,
    query_timeout: timeout + 1000,
    idle_in_transaction_session_timeout: timeout,
    application_name: 'edgewise-collector',
    // Counts are bigint; every count the collector keeps fits a double exactly (≤ 2^53).
    types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process; the
  // next query gets a fresh connection or a 503.
  pool.on('error', () => undefined);
  const pinned = async <T>(fn: (q: Query) => Promise<T>): Promise<T> => {
    const client = await pool.connect().catch((error: unknown) => {
      throw asUnavailable(error);
    });
    // A checked-out client has no pool listener: a connection reset between two statements would
    // otherwise be an uncaught 'error' event. The next statement on it fails and says so.
    const onError = () => undefined;
    client.on('error', onError);
    try {
      const result = await fn(guarded(async <R>(sql: string, params: unknown[] = [], options: { name?: string } = {}) => (await client.query({ text: sql, values: params, name: options.name })).rows as R[]));
      client.off('error', onError);
      client.release();
      return result;
    } catch (error) {
      client.off('error', onError);
      // Destroyed, not pooled: it may hold an open transaction or a session lock.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };
  return {
    kind: 'postgres',
    query: guarded(async <T>(sql: string, params: unknown[] = [], options: { name?: string } = {}) => (await pool.query({ text: sql, values: params, name: options.name })).rows as T[]),
    transaction: (fn) => pinned((q) => transactionOn(q)(fn)),
    session: (fn) => pinned((q) => fn({ query: q, transaction: transactionOn(q) })),
    close: () => pool.end(),
  };
}
