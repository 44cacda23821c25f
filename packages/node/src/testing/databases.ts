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
  const name = `fairstream_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await createDatabase(admin, name);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString(), '');
  if (migrate) await migrateToLatest(db);
  return {
    db,
    setting: url.toString(),
    close: async () => {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
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
