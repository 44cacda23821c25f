/**
 * What the database benchmarks (discovery, social) share: which databases to run on, a migrated
 * database of each kind (throwaway, or kept to measure again), bulk loading (SQLite: one prepared
 * statement, committed every 100,000 rows; Postgres: COPY FROM STDIN), progress lines while
 * loading, and the per-database figures table.
 *
 * Both databases are migrated by the node's own `migrateToLatest` and filled with the same rows,
 * so the same reads through the same repositories meet the same data on each.
 */

import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { type Db, migrateToLatest, openDatabase } from '../packages/node/src/db/database.ts';
import { createPostgresDatabase } from '../packages/node/src/testing/databases.ts';
import { defer, table, tempDir, verdict } from './lib.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseChoice {
  kinds: DatabaseKind[];
  /** A server URL for a role that may create databases (the benchmark creates and drops its own). */
  postgresUrl: string | undefined;
}

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;

/**
 * `--db sqlite|postgres|both` (or BENCH_DB) and `--postgres-url` (or FAIRSTREAM_BENCH_POSTGRES).
 * Without `--db`, both databases when a Postgres URL is given, else SQLite alone, saying how to add
 * Postgres.
 */
export function chooseDatabases(command: string): DatabaseChoice {
  try {
    return parseChoice(command);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

function parseChoice(command: string): DatabaseChoice {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, 'postgres-url': { type: 'string' } },
    strict: true,
  });
  const postgresUrl = values['postgres-url'] || process.env.FAIRSTREAM_BENCH_POSTGRES || undefined;
  if (postgresUrl !== undefined && !POSTGRES_URL.test(postgresUrl))
    throw new Error('the Postgres URL must look like postgres://user:password@host:5432/postgres');
  const setting = values.db ?? process.env.BENCH_DB ?? (postgresUrl ? 'both' : 'sqlite');
  if (setting !== 'sqlite' && setting !== 'postgres' && setting !== 'both')
    throw new Error(`--db must be sqlite, postgres or both, not "${setting}"`);
  const kinds: DatabaseKind[] = setting === 'both' ? ['sqlite', 'postgres'] : [setting];
  const howTo =
    `FAIRSTREAM_BENCH_POSTGRES=postgres://user:password@127.0.0.1:5432/postgres ${command}, or ` +
    `${command} -- --postgres-url <url> [--db postgres|both]; the role must be allowed to create databases ` +
    '(the benchmark creates a throwaway fairstream_bench_* database and drops it at the end)';
  if (kinds.includes('postgres') && !postgresUrl)
    throw new Error(`--db ${setting} needs a Postgres server: ${howTo}`);
  if (!kinds.includes('postgres')) process.stderr.write(`SQLite only. To run on Postgres too: ${howTo}.\n`);
  return { kinds, postgresUrl };
}

export type Cell = string | number | null;

export interface LoadOptions {
  /** For the progress line: how many rows are coming. */
  total?: number;
}

/** Appends rows to a table as fast as the database takes them; answers how many were written. */
export type BulkLoad = (
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly Cell[]>,
  options?: LoadOptions,
) => Promise<number>;

export interface BenchDatabase {
  kind: DatabaseKind;
  /** The node's `--db` setting for it: 'sqlite' (the file in dataDir) or the database's URL. */
  setting: string;
  /** The node's data folder: SQLite's file, and blobs and chain state either way. */
  dataDir: string;
  /** Migrated, through the node's own openDatabase. */
  db: Db;
  /**
   * A kept database filled by an earlier run: `load` then only runs through the rows (so that
   * what is drawn after them comes out the same) and the benchmark skips its other seeding steps.
   */
  filled: boolean;
  load: BulkLoad;
  /**
   * After seeding: Postgres gets the VACUUM ANALYZE its autovacuum would run soon after such a
   * load; a kept database is marked filled.
   */
  settle(): Promise<void>;
  /** Closes this process's connections (a node may then open it); a throwaway database goes at exit. */
  close(): Promise<void>;
}

const FILLED = 'fairstream benchmark: filled';

/**
 * A migrated database: SQLite in a temp folder, or a new Postgres database on the chosen server,
 * removed at exit (on success, error or Ctrl-C). To keep one and measure it again without
 * filling it again: `sqliteDir` (a folder), or BENCH_POSTGRES_DB (a database name on the server,
 * created if missing, never dropped).
 */
export async function openBenchDatabase(
  kind: DatabaseKind,
  options: { benchmark: string; postgresUrl: string | undefined; sqliteDir?: string | undefined },
): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dataDir = options.sqliteDir ?? (await tempDir(`fairstream-bench-${options.benchmark}-`));
    const marker = join(dataDir, 'filled');
    const filled = options.sqliteDir !== undefined && existsSync(marker);
    if (filled) process.stderr.write(`reusing the filled SQLite database in ${dataDir}\n`);
    const db = openDatabase('sqlite', dataDir);
    await migrateToLatest(db);
    const raw = new DatabaseSync(join(dataDir, 'fairstream.db'));
    // Loading only; the node keeps synchronous = FULL on its own connection.
    raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
    return {
      kind,
      setting: 'sqlite',
      dataDir,
      db,
      filled,
      load: async (table, columns, rows, loadOptions = {}) => {
        if (filled) return runThrough(rows);
        const statement = raw.prepare(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
        );
        const progress = new Progress(table, loadOptions.total);
        let count = 0;
        raw.exec('BEGIN');
        try {
          for (const row of rows) {
            statement.run(...row);
            count++;
            progress.add(1);
            if (count % 100_000 === 0) {
              // Commits in steps, giving the event loop a turn (Ctrl-C) between them.
              raw.exec('COMMIT');
              await yieldToEventLoop();
              raw.exec('BEGIN');
            }
          }
          raw.exec('COMMIT');
        } catch (error) {
          if (raw.isTransaction) raw.exec('ROLLBACK');
          throw error;
        }
        progress.done();
        return count;
      },
      settle: async () => {
        if (options.sqliteDir !== undefined && !filled) await writeFile(marker, '');
      },
      close: async () => {
        if (raw.isOpen) raw.close();
        await db.destroy();
      },
    };
  }

  const postgres = await postgresDatabase(options.postgresUrl);
  const dataDir = await tempDir(`fairstream-bench-${options.benchmark}-`);
  const db = openDatabase(postgres.url, dataDir);
  await migrateToLatest(db);
  const filled = postgres.kept && (await isMarkedFilled(db));
  if (filled) process.stderr.write(`reusing the filled Postgres database ${postgres.name}\n`);
  const client = new pg.Client({ connectionString: postgres.url });
  // A dropped connection fails the COPY in progress; unhandled, the event would end the process.
  client.on('error', () => {});
  await client.connect();
  await client.query('set synchronous_commit = off');
  let open = true;
  return {
    kind,
    setting: postgres.url,
    dataDir,
    db,
    filled,
    load: async (table, columns, rows, loadOptions = {}) => {
      if (filled) return runThrough(rows);
      const progress = new Progress(table, loadOptions.total);
      const copy = new CopyFromStdin(
        `copy ${table} (${columns.join(', ')}) from stdin`,
        copyText(rows, (n) => progress.add(n)),
      );
      client.query(copy);
      const count = await copy.done;
      progress.done();
      return count;
    },
    settle: async () => {
      if (filled) return;
      const started = performance.now();
      await sql`vacuum analyze`.execute(db);
      process.stderr.write(`vacuum analyze: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      if (postgres.kept)
        await sql`comment on database ${sql.id(postgres.name)} is ${sql.lit(FILLED)}`.execute(db);
    },
    close: async () => {
      if (open) await client.end();
      open = false;
      await db.destroy();
    },
  };
}

/** BENCH_POSTGRES_DB (kept, created if missing) or a throwaway database dropped at exit. */
async function postgresDatabase(
  serverUrl: string | undefined,
): Promise<{ url: string; name: string; kept: boolean }> {
  if (!serverUrl) throw new Error('no Postgres server given');
  const name = process.env.BENCH_POSTGRES_DB;
  if (name === undefined || name === '') {
    const created = await createPostgresDatabase(serverUrl, 'fairstream_bench');
    process.stderr.write(`created the Postgres database ${created.name}\n`);
    defer(async () => {
      await created.drop();
      process.stderr.write(`dropped the Postgres database ${created.name}\n`);
    });
    return { url: created.url, name: created.name, kept: false };
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new Error(`BENCH_POSTGRES_DB must be a plain database name (a-z, 0-9, _), not "${name}"`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${name}`);
      process.stderr.write(`created the Postgres database ${name} (kept: BENCH_POSTGRES_DB)\n`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, kept: true };
}

async function isMarkedFilled(db: Db): Promise<boolean> {
  const { rows } = await sql<{ comment: string | null }>`
    select shobj_description(oid, 'pg_database') as comment from pg_database where datname = current_database()`.execute(
    db,
  );
  return rows[0]?.comment === FILLED;
}

function runThrough(rows: Iterable<readonly Cell[]>): Promise<number> {
  let count = 0;
  for (const _ of rows) count++;
  return Promise.resolve(count);
}

/**
 * A turn of the event loop. SQLite (node:sqlite) answers synchronously, so a loop of awaited
 * queries runs on microtasks alone and a signal handler (Ctrl-C's cleanup) would wait for its end.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Generates `count` rows from their index, for `load`. */
export function* rowsOf(count: number, row: (i: number) => readonly Cell[]): Generator<readonly Cell[]> {
  for (let i = 0; i < count; i++) yield row(i);
}

// ---------------------------------------------------------------------------------------------
// COPY FROM STDIN with the pg client alone (no pg-copy-streams): a query object that answers the
// server's CopyInResponse with CopyData messages, then CopyDone.

type CopyConnection = pg.Connection & {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
};

class CopyFromStdin implements pg.Submittable {
  readonly done: Promise<number>;
  readonly #text: string;
  readonly #chunks: Iterable<string>;
  #resolve!: (rows: number) => void;
  #reject!: (error: unknown) => void;
  #rows = 0;
  #failed = false;
  /** Our own failure while producing rows: reported instead of the server's "COPY failed". */
  #cause: unknown;

  constructor(text: string, chunks: Iterable<string>) {
    this.#text = text;
    this.#chunks = chunks;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.#text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.#send(connection);
  }

  async #send(connection: CopyConnection): Promise<void> {
    try {
      for (const chunk of this.#chunks) {
        if (this.#failed) return;
        connection.sendCopyFromChunk(Buffer.from(chunk));
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (error) {
      this.#cause = error;
      connection.sendCopyFail(String(error).slice(0, 500));
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.#rows = Number(/\d+$/.exec(message.text ?? '')?.[0] ?? 0);
  }

  handleReadyForQuery(): void {
    this.#resolve(this.#rows);
  }

  handleError(error: unknown): void {
    this.#failed = true;
    this.#reject(this.#cause ?? error);
  }

  // The other messages a query may get; COPY FROM STDIN answers none of them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Rows in COPY's text format, in chunks of about 1 MB. */
function* copyText(rows: Iterable<readonly Cell[]>, counted: (n: number) => void): Generator<string> {
  let lines: string[] = [];
  let size = 0;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (i > 0) line += '\t';
      line +=
        value === null || value === undefined
          ? '\\N'
          : typeof value === 'number'
            ? String(value)
            : value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!);
    }
    lines.push(`${line}\n`);
    size += line.length + 1;
    if (size >= 1 << 20) {
      counted(lines.length);
      yield lines.join('');
      lines = [];
      size = 0;
    }
  }
  if (lines.length > 0) {
    counted(lines.length);
    yield lines.join('');
  }
}

// ---------------------------------------------------------------------------------------------
// Progress and figures

/** A line every 5 s while a long step runs, and one when it ends. */
export class Progress {
  readonly #label: string;
  readonly #total: number | undefined;
  readonly #started = performance.now();
  #lastPrinted = this.#started;
  #count = 0;

  constructor(label: string, total?: number) {
    this.#label = label;
    this.#total = total;
  }

  add(n: number): void {
    this.#count += n;
    const now = performance.now();
    if (now - this.#lastPrinted < 5000) return;
    this.#lastPrinted = now;
    const of = this.#total ? ` / ${this.#total.toLocaleString('en')}` : '';
    process.stderr.write(
      `  ${this.#label}: ${this.#count.toLocaleString('en')}${of} (${rate(this.#count, now - this.#started)}/s)\n`,
    );
  }

  /** Prints the step's total and answers its seconds. */
  done(): number {
    const ms = performance.now() - this.#started;
    process.stderr.write(
      `  ${this.#label}: ${this.#count.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s (${rate(this.#count, ms)}/s)\n`,
    );
    return ms / 1000;
  }
}

const rate = (count: number, ms: number) => {
  const perSecond = count / Math.max(ms / 1000, 0.001);
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en');
};

export interface Figure {
  figure: string;
  db: DatabaseKind;
  n: number;
  p50: number;
  p99: number;
  max: number;
  goalMs: number;
}

/** p50, p99 and max of timings in ms (nearest rank). */
export function figureOf(figure: string, db: DatabaseKind, goalMs: number, samples: number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { figure, db, n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)!, goalMs };
}

export function figuresTable(figures: Figure[]): string {
  return table(
    ['', 'db', 'n', 'p50 ms', 'p99 ms', 'max ms', 'goal (p99)'],
    figures.map((f) => [
      f.figure,
      f.db,
      f.n.toLocaleString('en'),
      f.p50.toFixed(2),
      f.p99.toFixed(2),
      f.max.toFixed(2),
      `< ${f.goalMs} ms: ${verdict(f.p99 < f.goalMs)}`,
    ]),
  );
}
