import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../../db/dialect.ts';
import type { Database } from '../../db/schema.ts';
import { SIMILARITY_THRESHOLD } from './postgres-search-index.ts';
import { quote } from './sqlite-search-index.ts';
import { lookupTrigrams } from './text.ts';

/** An account whose handle shares trigrams with a typed one. */
export interface HandleCandidate {
  address: string;
  /** The handle in lower case. */
  handle_key: string;
  followers: number;
}

/**
 * Trigrams of handles, for finding the one meant when a typed handle has a typo: SQLite keeps an
 * FTS5 trigram table beside profiles (written by `put` in the transaction that writes the handle);
 * Postgres has a pg_trgm GIN index on profiles.handle_key itself, which needs no writing.
 */
export interface HandleIndex {
  /** The account's handle is now `handleKey` (lower case), or it has none. */
  put(db: Kysely<Database>, address: string, handleKey: string | null): Promise<void>;
  /**
   * Accounts with a handle whose start looks like `typed`, most similar first, at most `limit`;
   * the caller measures the edits. Accounts without a handle are never among them.
   */
  similar(db: Kysely<Database>, typed: string, limit: number): Promise<HandleCandidate[]>;
}

class SqliteHandleIndex implements HandleIndex {
  async put(db: Kysely<Database>, address: string, handleKey: string | null): Promise<void> {
    // handle_search gives each account a stable integer id: the rowid of its trigram row.
    const existing = await sql<{
      id: number;
    }>`select id from handle_search where address = ${address}`.execute(db);
    let id = existing.rows[0]?.id;
    if (id !== undefined) await sql`delete from handle_search_trigram where rowid = ${id}`.execute(db);
    if (handleKey === null) {
      if (id !== undefined) await sql`delete from handle_search where id = ${id}`.execute(db);
      return;
    }
    if (id === undefined) {
      const inserted = await sql<{
        id: number;
      }>`insert into handle_search (address) values (${address}) returning id`.execute(db);
      id = inserted.rows[0]!.id;
    }
    // Padded like the vocabulary's trigrams (and pg_trgm's), so a handle's start weighs in.
    await sql`insert into handle_search_trigram (rowid, grams) values (${id}, ${`  ${handleKey} `})`.execute(
      db,
    );
  }

  async similar(db: Kysely<Database>, typed: string, limit: number): Promise<HandleCandidate[]> {
    const grams = lookupTrigrams(typed, true);
    if (grams.length === 0) return [];
    const match = grams.map(quote).join(' OR ');
    const result = await sql<HandleCandidate>`
      select p.address, p.handle_key, coalesce(c.followers, 0) as followers from (
        select rowid as id, rank from handle_search_trigram where handle_search_trigram match ${match}
        order by rank limit ${limit}
      ) g
      join handle_search h on h.id = g.id
      join profiles p on p.address = h.address
      left join account_counts c on c.address = p.address
      where p.handle_key is not null
      order by g.rank`.execute(db);
    return result.rows.map((row) => ({ ...row, followers: Number(row.followers) }));
  }
}

class PostgresHandleIndex implements HandleIndex {
  async put(): Promise<void> {
    // profiles_handle_trigram indexes profiles.handle_key: it changes with the row.
  }

  async similar(db: Kysely<Database>, typed: string, limit: number): Promise<HandleCandidate[]> {
    return db.transaction().execute(async (trx) => {
      // As for the vocabulary (postgres-search-index.ts): a low threshold only widens what the
      // edit distance then checks. A handle is being typed: compared with the start of handles.
      await sql`set local pg_trgm.word_similarity_threshold = ${sql.lit(SIMILARITY_THRESHOLD)}`.execute(trx);
      const result = await sql<HandleCandidate>`
        select p.address, p.handle_key, coalesce(c.followers, 0) as followers
        from profiles p left join account_counts c on c.address = p.address
        where ${typed} <% p.handle_key
        order by word_similarity(${typed}, p.handle_key) desc, p.handle_key
        limit ${limit}`.execute(trx);
      return result.rows.map((row) => ({ ...row, followers: Number(row.followers) }));
    });
  }
}

const sqliteIndex = new SqliteHandleIndex();
const postgresIndex = new PostgresHandleIndex();

export function handleIndexFor(db: Kysely<Database>): HandleIndex {
  return isPostgres(db) ? postgresIndex : sqliteIndex;
}
