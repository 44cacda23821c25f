import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import { openNodeSqlite } from './node-sqlite.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// Postgres returns int8 as text to protect precision; our bigint columns are millisecond times and
// byte sizes, far inside the safe integer range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Opens the database named by the --db setting ('sqlite' or a postgres:// URL). */
export function openDatabase(setting: string, dataDir: string): Db {
  if (setting === 'sqlite') {
    mkdirSync(dataDir, { recursive: true });
    return new Kysely<Database>({
      dialect: new SqliteDialect({ database: openNodeSqlite(join(dataDir, 'fairstream.db')) }),
    });
  }
  if (setting === ':memory:') {
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: openNodeSqlite(':memory:') }) });
  }
  // No JIT: the node's queries are short reads and writes, and a search whose cost estimate grows with
  // its matches (a one-letter prefix among a million tracks) would otherwise spend most of a second
  // compiling itself before it runs.
  const pool = new pg.Pool({ connectionString: setting, max: 10, options: '-c jit=off' });
  // An idle connection that the server drops (a restart, a failover) is discarded by the pool and
  // replaced on demand; unhandled, its 'error' event would crash the whole node.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new MigrationError(
      `The database could not be migrated${failed ? ` (migration ${failed.migrationName} failed)` : ''}: ${String(
        (error as Error | undefined)?.message ?? error,
      )}. Check that the database is reachable and that no older Fairstream version is using it.`,
      { cause: error },
    );
  }
}
