import { afterAll, beforeAll } from 'vitest';
import { openPglite, type Database } from './database.js';
import { migrate } from './migrations.js';

/**
 * An embedded PGlite with the collector's schema for a test file: opened and migrated before its
 * tests (handed to `set`), closed after them.
 *
 * @example
 * let db: Database;
 * withMigratedPglite((opened) => (db = opened));
 */
export function withMigratedPglite(set: (db: Database) => void): void {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    set(db);
  }, 60_000);
  afterAll(() => db?.close());
}
