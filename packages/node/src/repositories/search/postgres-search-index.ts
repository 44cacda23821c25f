import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CandidateQuery, SearchCandidate, SearchIndex } from './search-index.ts';
import { type SearchDocument, vocabularyOf } from './text.ts';

/** tsvector positions stop at 16383; a document's words beyond it are not indexed. */
const MAX_POSITION = 16_383;
/** Trigram similarity a word (or handle) needs to be a candidate correction; see similarTerms. */
export const SIMILARITY_THRESHOLD = 0.2;

/**
 * Postgres: a tsvector per track (title and artist weigh A, tags B, genre C) under a GIN index, and
 * the vocabulary under a pg_trgm GIN index. Both are written as literals of words the node
 * tokenized (`'night':1A 'drive':2A`), never through to_tsvector, so the server's locale and text
 * search configuration cannot split or drop a word that SQLite keeps.
 */
export class PostgresSearchIndex implements SearchIndex {
  async put(db: Kysely<Database>, trackId: string, document: SearchDocument): Promise<void> {
    const vector = tsvectorLiteral(document);
    await sql`insert into track_search (track_id, document) values (${trackId}, ${vector}::tsvector)
      on conflict (track_id) do update set document = excluded.document`.execute(db);
    const words = vocabularyOf(document);
    if (words.length > 0) {
      await sql`insert into search_terms (term) values ${sql.join(words.map((term) => sql`(${term})`))}
        on conflict (term) do nothing`.execute(db);
    }
  }

  async remove(db: Kysely<Database>, trackId: string): Promise<void> {
    await sql`delete from track_search where track_id = ${trackId}`.execute(db);
  }

  async playsChanged(): Promise<void> {
    // Candidates are ordered by counted plays at query time: nothing is keyed by them here.
  }

  async candidates(db: Kysely<Database>, query: CandidateQuery): Promise<SearchCandidate[]> {
    const viewer = query.viewer ?? '';
    const result = await sql<SearchCandidate>`
      select tracks.id, tracks.title, tracks.artist_name, tracks.tags, tracks.genre, tracks.owner,
        tracks.created_at, coalesce(c.counted, 0) as counted_plays
      from track_search s
      join tracks on tracks.id = s.track_id
      left join track_play_counts c on c.track_id = tracks.id
      where s.document @@ ${tsqueryLiteral(query)}::tsquery
        and ((tracks.state = 'ready' and tracks.visibility = 'public' and tracks.delisted_at is null)
          or tracks.owner = ${viewer}
          or exists (select 1 from track_splits sp where sp.track_id = tracks.id and sp.address = ${viewer}))
      order by coalesce(c.counted, 0) desc, tracks.created_at desc, tracks.id desc
      limit ${query.limit}`.execute(db);
    return result.rows.map((row) => ({
      ...row,
      counted_plays: Number(row.counted_plays),
      created_at: Number(row.created_at),
    }));
  }

  async similarTerms(db: Kysely<Database>, term: string, prefix: boolean, limit: number): Promise<string[]> {
    // pg_trgm's default thresholds (0.3 and 0.6) miss a transposition in a short word ("drvie" is
    // 0.2 similar to "drive"); lower ones only widen the candidates the edit distance then checks.
    return db.transaction().execute(async (trx) => {
      await sql`set local pg_trgm.similarity_threshold = ${sql.lit(SIMILARITY_THRESHOLD)}`.execute(trx);
      await sql`set local pg_trgm.word_similarity_threshold = ${sql.lit(SIMILARITY_THRESHOLD)}`.execute(trx);
      // A word still being typed is compared with the start of dictionary words (word similarity).
      const result = prefix
        ? await sql<{ term: string }>`select term from search_terms where ${term} <% term
            order by word_similarity(${term}, term) desc, term limit ${limit}`.execute(trx)
        : await sql<{ term: string }>`select term from search_terms where term % ${term}
            order by similarity(term, ${term}) desc, term limit ${limit}`.execute(trx);
      return result.rows.map((row) => row.term);
    });
  }

  async isKnown(db: Kysely<Database>, term: string, prefix: boolean): Promise<boolean> {
    // Words are letters and digits only: no LIKE wildcard to escape. The trigram index serves LIKE.
    const result = prefix
      ? await sql`select 1 as one from search_terms where term like ${`${term}%`} limit 1`.execute(db)
      : await sql`select 1 as one from search_terms where term = ${term}`.execute(db);
    return result.rows.length > 0;
  }
}

/** A document as `put` stores it: tsvector input text (the benchmarks bulk-load it with COPY). */
export function tsvectorLiteral(document: SearchDocument): string {
  const entries: string[] = [];
  let position = 0;
  const add = (words: string[], weight: 'A' | 'B' | 'C') => {
    for (const word of words) {
      if (position >= MAX_POSITION) return;
      position++;
      entries.push(`${lexeme(word)}:${position}${weight}`);
    }
  };
  add(document.title, 'A');
  add(document.artist, 'A');
  add(document.tags, 'B');
  add(document.genre, 'C');
  return entries.join(' ');
}

function tsqueryLiteral(query: CandidateQuery): string {
  const last = query.alternatives.length - 1;
  const weight = query.fields === 'title_artist' ? 'A' : '';
  return query.alternatives
    .map((words, i) => {
      const star = query.lastIsPrefix && i === last ? '*' : '';
      const suffix = star || weight ? `:${star}${weight}` : '';
      return `(${words.map((word) => `${lexeme(word)}${suffix}`).join(' | ')})`;
    })
    .join(' & ');
}

/** A quoted lexeme as tsvector and tsquery input read it: verbatim, quotes and backslashes escaped. */
function lexeme(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
