import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, migrateToLatest, openDatabase } from '../db/database.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A fresh database, migrated unless `migrate` is false; `close` drops it. */
  open(options?: { migrate?: boolean }): Promise<{ db: Db; setting: string; close(): Promise<void> }>;
}

/**
 * The databases every repository test runs against: SQLite always, Postgres when
 * FAIRSTREAM_TEST_POSTGRES names a server (CI sets it, and fails without it).
 */
export function testDatabases(): TestDatabase[] {
  const databases: TestDatabase[] = [{ name: 'sqlite', open: openSqlite }];
  const postgresUrl = process.env.FAIRSTREAM_TEST_POSTGRES;
  if (postgresUrl)
    databases.push({ name: 'postgres', open: (options) => openPostgres(postgresUrl, options) });
  else if (process.env.CI) throw new Error('CI must set FAIRSTREAM_TEST_POSTGRES so the Postgres tests run');
  return databases;
}

async function openSqlite({ migrate = true } = {}) {
  const db = openDatabase(':memory:', '');
  if (migrate) await migrateToLatest(db);
  return { db, setting: ':memory:', close: () => db.destroy() };
}

async function openPostgres(adminUrl: string, { migrate = true } = {}) {
  const { url, drop } = await createPostgresDatabase(adminUrl, 'fairstream_test');
  const db = openDatabase(url, '');
  if (migrate) await migrateToLatest(db);
  return {
    db,
    setting: url,
    close: async () => {
      await db.destroy();
      await drop();
    },
  };
}

/**
 * Creates an empty database with a random name (`<prefix>_<12 hex digits>`) on the server of
 * `adminUrl` (a role that may create databases) and answers its URL; `drop` removes it, ending any
 * connection still open to it. The repository tests and the benchmarks use it.
 */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await createDatabase(admin, name);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Test files run in parallel, and Postgres refuses to copy template1 while another CREATE DATABASE
 * is using it ("being accessed by other users"): try again shortly instead of failing the file.
 */
async function createDatabase(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      return;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
