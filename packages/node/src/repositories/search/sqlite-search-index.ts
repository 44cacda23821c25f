import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CandidateQuery, SearchCandidate, SearchIndex } from './search-index.ts';
import { lookupTrigrams, type SearchDocument, searchDocument, vocabularyOf } from './text.ts';
import { tierOf } from './tier.ts';

/**
 * FTS5 hands out matches in rowid order, and reading the first N of them in descending order costs
 * next to nothing however many match (no scoring: bm25 alone counts every match to weigh terms).
 * So a document's rowid ("doc") carries its popularity: doc = tier · 2^40 + seq, where tier grows
 * with log2 of the track's counted plays (`tierOf`: four steps per doubling) and seq is its place in
 * upload order. `ORDER BY rowid DESC LIMIT n` then yields the most played matches, newest first
 * within a tier. A track whose counted plays cross into another tier is re-keyed at settlement, which
 * happens at most about 90 times in a track's life (10 million plays is tier 93).
 */
const TIER_SHIFT = 2 ** 40;

export class SqliteSearchIndex implements SearchIndex {
  async put(db: Kysely<Database>, trackId: string, document: SearchDocument): Promise<void> {
    const existing = await sql<{
      doc: number;
    }>`select doc from track_search where track_id = ${trackId}`.execute(db);
    let doc = existing.rows[0]?.doc;
    if (doc !== undefined) {
      await sql`delete from track_fts where rowid = ${doc}`.execute(db);
    } else {
      const plays = await sql<{
        counted: number;
      }>`select counted from track_play_counts where track_id = ${trackId}`.execute(db);
      const tier = tierOf(Number(plays.rows[0]?.counted ?? 0));
      const next = await sql<{
        seq: number;
      }>`select coalesce(max(seq), 0) + 1 as seq from track_search`.execute(db);
      const seq = Number(next.rows[0]!.seq);
      doc = tier * TIER_SHIFT + seq;
      await sql`insert into track_search (doc, track_id, seq, tier) values (${doc}, ${trackId}, ${seq}, ${tier})`.execute(
        db,
      );
    }
    await insertDocument(db, doc, document);
    await this.#addVocabulary(db, vocabularyOf(document));
  }

  async remove(db: Kysely<Database>, trackId: string): Promise<void> {
    const existing = await sql<{
      doc: number;
    }>`select doc from track_search where track_id = ${trackId}`.execute(db);
    const doc = existing.rows[0]?.doc;
    if (doc === undefined) return;
    await sql`delete from track_fts where rowid = ${doc}`.execute(db);
    await sql`delete from track_search where doc = ${doc}`.execute(db);
  }

  async playsChanged(db: Kysely<Database>, trackIds: readonly string[]): Promise<void> {
    for (let start = 0; start < trackIds.length; start += 500) {
      const ids = trackIds.slice(start, start + 500);
      const { rows } = await sql<{
        doc: number;
        seq: number;
        tier: number;
        title: string;
        artist_name: string | null;
        tags: string;
        genre: string | null;
        counted: number | null;
      }>`select s.doc, s.seq, s.tier, t.title, t.artist_name, t.tags, t.genre, c.counted
        from track_search s join tracks t on t.id = s.track_id
        left join track_play_counts c on c.track_id = s.track_id
        where s.track_id in (${sql.join(ids)})`.execute(db);
      for (const row of rows) {
        const tier = tierOf(Number(row.counted ?? 0));
        if (tier === row.tier) continue;
        const doc = tier * TIER_SHIFT + row.seq;
        await sql`delete from track_fts where rowid = ${row.doc}`.execute(db);
        await sql`update track_search set doc = ${doc}, tier = ${tier} where doc = ${row.doc}`.execute(db);
        await insertDocument(db, doc, searchDocument(row));
      }
    }
  }

  async candidates(db: Kysely<Database>, query: CandidateQuery): Promise<SearchCandidate[]> {
    const match = ftsQuery(query);
    const viewer = query.viewer ?? '';
    // The visibility filter runs on the pool: a hidden track in it is dropped, never replaced, so
    // a pool holds slightly fewer visible tracks when many of the most played matches are hidden.
    const result = await sql<SearchCandidate>`
      select tracks.id, tracks.title, tracks.artist_name, tracks.tags, tracks.genre, tracks.owner,
        tracks.created_at, coalesce(c.counted, 0) as counted_plays
      from (select rowid as doc from track_fts where track_fts match ${match} order by rowid desc limit ${query.limit}) p
      join track_search s on s.doc = p.doc
      join tracks on tracks.id = s.track_id
      left join track_play_counts c on c.track_id = tracks.id
      where (tracks.state = 'ready' and tracks.visibility = 'public' and tracks.delisted_at is null)
        or tracks.owner = ${viewer}
        or exists (select 1 from track_splits sp where sp.track_id = tracks.id and sp.address = ${viewer})
      order by p.doc desc`.execute(db);
    return result.rows.map((row) => ({ ...row, counted_plays: Number(row.counted_plays) }));
  }

  async similarTerms(db: Kysely<Database>, term: string, prefix: boolean, limit: number): Promise<string[]> {
    const grams = lookupTrigrams(term, prefix);
    if (grams.length === 0) return [];
    const match = grams.map(quote).join(' OR ');
    const result = await sql<{ term: string }>`
      select v.term from (
        select rowid as id, rank from search_terms_trigram where search_terms_trigram match ${match}
        order by rank limit ${limit}
      ) g join search_terms v on v.id = g.id order by g.rank`.execute(db);
    return result.rows.map((row) => row.term);
  }

  async isKnown(db: Kysely<Database>, term: string, prefix: boolean): Promise<boolean> {
    // Binary order of UTF-8: every word starting with `term` sorts below term + U+10FFFF.
    const result = prefix
      ? await sql`select 1 as one from search_terms where term >= ${term} and term < ${`${term}\u{10FFFF}`} limit 1`.execute(
          db,
        )
      : await sql`select 1 as one from search_terms where term = ${term}`.execute(db);
    return result.rows.length > 0;
  }

  /** New words join the dictionary that typos are corrected to; words are never removed from it. */
  async #addVocabulary(db: Kysely<Database>, words: string[]): Promise<void> {
    if (words.length === 0) return;
    const { rows } = await sql<{ id: number; term: string }>`insert into search_terms (term)
      values ${sql.join(words.map((term) => sql`(${term})`))}
      on conflict (term) do nothing returning id, term`.execute(db);
    for (const { id, term } of rows) {
      // Padded like pg_trgm's trigrams, so a word's start weighs as much as its middle.
      await sql`insert into search_terms_trigram (rowid, grams) values (${id}, ${`  ${term} `})`.execute(db);
    }
  }
}

async function insertDocument(db: Kysely<Database>, doc: number, document: SearchDocument): Promise<void> {
  await sql`insert into track_fts (rowid, title, artist, tags, genre)
    values (${doc}, ${document.title.join(' ')}, ${document.artist.join(' ')}, ${document.tags.join(' ')},
      ${document.genre.join(' ')})`.execute(db);
}

/** An FTS5 string: every word quoted (so no word is read as an operator), alternatives ORed. */
function ftsQuery(query: CandidateQuery): string {
  const last = query.alternatives.length - 1;
  const groups = query.alternatives.map((words, i) => {
    const star = query.lastIsPrefix && i === last ? '*' : '';
    return `(${words.map((word) => `${quote(word)}${star}`).join(' OR ')})`;
  });
  const expression = groups.join(' AND ');
  return query.fields === 'title_artist' ? `{title artist} : (${expression})` : expression;
}

/** An FTS5 string token: quoted, so no word is read as an operator. */
export function quote(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}
