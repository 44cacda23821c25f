import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Adapts Node's built-in SQLite (node:sqlite) to the better-sqlite3 shape Kysely's SqliteDialect
 * expects, so the default node needs no native addon compiled for a particular Node version.
 */
export function openNodeSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const db = new DatabaseSync(path);
  // WAL keeps readers (streaming) off the writer's back; FULL sync makes an acknowledged write
  // survive a kill -9 or power loss.
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  // Kysely prepares every query anew; the same few statements serve every request, so keep them.
  const statements = new Map<string, SqliteStatement>();
  return {
    raw: db,
    close: () => {
      statements.clear();
      db.close();
    },
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string);
        statement = adaptStatement(db.prepare(sql));
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

const STATEMENT_CACHE_SIZE = 500;

function adaptStatement(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    // Rows come with a null prototype; plain objects behave like every other driver's rows.
    all: (parameters) => statement.all(...toSqlite(parameters)).map((row) => ({ ...row })),
    run: (parameters) => {
      const result = statement.run(...toSqlite(parameters));
      return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
    },
    iterate: (parameters) => plainRows(statement.iterate(...toSqlite(parameters))),
  };
}

function toSqlite(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value as SQLInputValue;
  });
}

function* plainRows(rows: Iterable<object>): IterableIterator<object> {
  for (const row of rows) yield { ...row };
}
