import { randomUUID } from 'node:crypto';
import { openPostgres } from '@edgewise/collector';

/**
 * A fresh, uniquely named database on the PostgreSQL of DATABASE_URL (the one .ci/run starts),
 * so suites never share tables with each other or with other runs; dropped afterwards.
 * Without DATABASE_URL: undefined, and the reason is printed once per suite.
 */
export async function freshPostgresDatabase(suite: string): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = process.env.DATABASE_URL;
  if (!admin || !postgresAvailable(suite)) return undefined;
  const name = `edgewise_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const adminDb = async (sql: string) => {
    const db = await openPostgres(admin, { poolSize: 1 });
    try {
      await db.query(sql);
    } finally {
      await db.close();
    }
  };
  await adminDb(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminDb(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The describe-level skip condition for PostgreSQL suites; says why when it skips. */
export function postgresAvailable(suite: string): boolean {
  if (process.env.DATABASE_URL) return true;
  console.warn(`[${suite}] PostgreSQL variant skipped: DATABASE_URL is not set (.ci/run starts a PostgreSQL and sets it; the PGlite variant runs regardless).`);
  return false;
}
