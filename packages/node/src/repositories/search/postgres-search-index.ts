import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CandidateQuery, SearchCandidate, SearchIndex } from './search-index.ts';
import { type SearchDocument, vocabularyOf } from './text.ts';
import { tierOf } from './tier.ts';

/** Trigram similarity a word (or handle) needs to be a candidate correction; see similarTerms. */
export const SIMILARITY_THRESHOLD = 0.2;
/**
 * Every word's starts of 1 to this many letters are lexemes of their own (`^n`, `^ni`, `^nig`), so
 * that a short prefix is one GIN entry instead of a partial match over every word it starts.
 */
export const PREFIX_LEXEMES = 3;
const PREFIX_MARK = '^';
/**
 * Words of tags and genres (and their starts) are lexemes with this mark (`~lofi`, `~^lo`); title
 * and artist words are bare. Words are letters and digits only: no word is spelled with a mark.
 */
const OTHER_FIELDS_MARK = '~';
/** Documents the first step of `candidates` tests, most played first. */
const WALK = 2_000;
/**
 * Bands of popular tracks that `candidates` may look in, by tier (`tierOf`): at least 511, 181, 63,
 * 22 and 7 counted plays. Each has its own partial GIN index (`track_search_band_<tier>`, migration
 * 0018_search_popularity) holding only the band's documents, so a word's entries there are as few
 * as its matches in the band, and whose size (`pg_class.reltuples`, kept by VACUUM and ANALYZE)
 * tells how many documents the band holds. Plays are spread like a power law (a few tracks have
 * most of them), so each band holds about three times as many tracks as the one before: 1,400,
 * 4,000, 12,000, 34,000 and 121,000 of the benchmark's 1,000,000.
 */
export const BAND_TIERS = [36, 30, 24, 18, 12] as const;
/** Dictionary words a word being typed is spelled out as, at most (see completionsOf). */
const MAX_COMPLETIONS = 64;
/** How long the table's and bands' sizes are used before they are read again (statistics). */
const SIZES_FOR_MS = 60_000;
/** Matches (1,000 rows to read, a few ms) below which reading all of them beats a band first. */
const FEW_MATCHES = 1_000;
/** A band is searched when it should hold this many times `limit` matches. */
const BAND_MARGIN = 2;

export interface PostgresSearchOptions {
  /** Tests make it small, to go through every step with a few tracks. */
  walk?: number;
}

/**
 * Postgres: a tsvector per track (the words of title and artist, those of tags and genre marked
 * apart, and the starts of all of them: PREFIX_LEXEMES) under a GIN index, and the vocabulary
 * under a pg_trgm GIN index. Both are written as literals of words the node tokenized, never
 * through to_tsvector, so the server's locale and text search configuration cannot split or drop
 * a word that SQLite keeps.
 *
 * Like SQLite's, each document carries its track's popularity tier (`tierOf`, from counted plays,
 * brought up to date at settlement by `playsChanged`) and its place in upload order (`seq`), and
 * candidates are the first matches in (tier, seq) order: most played, then newest. GIN finds
 * matches but cannot hand them out in any order, so `candidates` goes step by step, each step
 * bounded, until one of them holds enough.
 */
export class PostgresSearchIndex implements SearchIndex {
  readonly #walk: number;
  /** Sizes per database, read again after SIZES_FOR_MS: statistics change slowly. */
  readonly #read = new WeakMap<Kysely<Database>, { at: number; sizes: Promise<Sizes> }>();

  constructor(options: PostgresSearchOptions = {}) {
    this.#walk = options.walk ?? WALK;
  }

  async put(db: Kysely<Database>, trackId: string, document: SearchDocument): Promise<void> {
    const vector = tsvectorLiteral(document);
    // A new document takes the next place in upload order (seq, an identity column) and its tier
    // from the counted plays; a replaced one keeps both.
    const plays = await sql<{
      counted: number;
    }>`select counted from track_play_counts where track_id = ${trackId}`.execute(db);
    const tier = tierOf(Number(plays.rows[0]?.counted ?? 0));
    await sql`insert into track_search (track_id, document, tier) values (${trackId}, ${vector}::tsvector, ${tier})
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

  async playsChanged(db: Kysely<Database>, trackIds: readonly string[]): Promise<void> {
    for (let start = 0; start < trackIds.length; start += 500) {
      const ids = trackIds.slice(start, start + 500);
      const { rows } = await sql<{ track_id: string; tier: number; counted: number | null }>`
        select s.track_id, s.tier, c.counted from track_search s
        left join track_play_counts c on c.track_id = s.track_id
        where s.track_id in (${sql.join(ids)})`.execute(db);
      const changed = rows
        .map((row) => ({ id: row.track_id, before: row.tier, tier: tierOf(Number(row.counted ?? 0)) }))
        .filter((row) => row.tier !== row.before);
      if (changed.length === 0) continue;
      await sql`update track_search s set tier = v.tier
        from (values ${sql.join(changed.map((row) => sql`(${row.id}, ${row.tier}::integer)`))}) as v (track_id, tier)
        where s.track_id = v.track_id`.execute(db);
    }
  }

  /**
   * The first `limit` matches in (tier, seq) order, with their tracks; as on SQLite, hidden tracks
   * among them are dropped (not replaced) unless the viewer owns or shares them.
   *
   * Sorting every match is what a common prefix cannot afford (a quarter of a million tracks have a
   * word starting with "t"), and which way is cheap depends on how many match, which the planner
   * can only guess (it once walked the whole table in order for a word with 1,459 matches among a
   * million, expecting twice as many). So the steps are chosen here, each bounded, each exact when
   * it yields `limit` documents (what it did not look at comes later in (tier, seq) order):
   *
   * 1. Walk the WALK most played documents in order, testing each: enough for a word that one in
   *    ten tracks has (every one- and two-letter prefix), for the price of reading a few hundred.
   * 2. Otherwise the share of them that matched says how many match in each band (BAND_TIERS): the
   *    smallest band that should hold BAND_MARGIN times `limit` matches (else the biggest, unless
   *    the share promises at most FEW_MATCHES in all), every match in it, sorted. If it holds too
   *    few after all, the share found there picks a bigger band, and so on.
   * 3. Otherwise every match, sorted: by then there are few.
   *
   * The materialized CTEs keep the planner from walking the order index instead, which reads the
   * whole band (or table) when matches are fewer than `limit`.
   */
  async candidates(db: Kysely<Database>, query: CandidateQuery): Promise<SearchCandidate[]> {
    const completions = await completionsOf(db, query);
    // The word being typed starts no word any track has (nor does any correction of it).
    if (query.lastIsPrefix && query.alternatives.at(-1)?.every((word) => completions.get(word)?.length === 0))
      return [];
    const match = tsqueryLiteral(query, completions);
    const { limit } = query;
    const viewer = query.viewer ?? '';
    const walked = await withTracks(
      db,
      viewer,
      sql`select track_id, tier, seq from (
          select track_id, tier, seq, document from track_search order by tier desc, seq desc limit ${this.#walk}
        ) top
        where document @@ ${match}::tsquery
        order by tier desc, seq desc limit ${limit}`,
    );
    if (walked.length >= limit) return visible(walked);
    let share = (walked.length + 1) / Math.max(1, this.#walk);
    const sizes = await this.#sizes(db);
    let bands = sizes.bands;
    for (;;) {
      // The smallest band that should hold enough; else, unless few match in all, the biggest:
      // it costs a fraction of reading every match, and the share is a guess from a few.
      const next =
        bands.find((band) => share * band.documents >= BAND_MARGIN * limit) ??
        (share * sizes.documents > FEW_MATCHES ? bands.at(-1) : undefined);
      if (!next) break;
      // The tier as a literal: the planner picks a partial index only for a value it can see.
      const found = await withTracks(
        db,
        viewer,
        sql`with band as materialized (
            select track_id, tier, seq from track_search
            where tier >= ${sql.lit(next.tier)} and document @@ ${match}::tsquery
          )
          select track_id, tier, seq from band order by tier desc, seq desc limit ${limit}`,
      );
      if (found.length >= limit) return visible(found);
      share = (found.length + 1) / next.documents;
      bands = bands.filter((band) => band.tier < next.tier);
    }
    return visible(
      await withTracks(
        db,
        viewer,
        sql`with matches as materialized (
            select track_id, tier, seq from track_search where document @@ ${match}::tsquery
          )
          select track_id, tier, seq from matches order by tier desc, seq desc limit ${limit}`,
      ),
    );
  }

  #sizes(db: Kysely<Database>): Promise<Sizes> {
    const read = this.#read.get(db);
    if (read && performance.now() - read.at < SIZES_FOR_MS) return read.sizes;
    const sizes = readSizes(db);
    this.#read.set(db, { at: performance.now(), sizes });
    // A failed read is not kept: the next search asks again.
    sizes.catch(() => this.#read.delete(db));
    return sizes;
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

interface PoolRow extends Omit<SearchCandidate, 'id'> {
  id: string | null;
  visible: boolean;
}

/**
 * A step's documents (`pool` answers track_id, tier and seq) in (tier, seq) order, with what
 * ranking needs of their tracks and whether the viewer may see each: one round trip, and as many
 * rows as the step found, to tell whether it found enough.
 */
async function withTracks(
  db: Kysely<Database>,
  viewer: string,
  pool: RawBuilder<unknown>,
): Promise<PoolRow[]> {
  const result = await sql<PoolRow>`
    select t.id, t.title, t.artist_name, t.tags, t.genre, t.owner, t.created_at,
      coalesce(c.counted, 0) as counted_plays,
      (t.state = 'ready' and t.visibility = 'public' and t.delisted_at is null) or t.owner = ${viewer}
        or exists (select 1 from track_splits sp where sp.track_id = t.id and sp.address = ${viewer}) as visible
    from (${pool}) p
    left join tracks t on t.id = p.track_id
    left join track_play_counts c on c.track_id = p.track_id
    order by p.tier desc, p.seq desc`.execute(db);
  return result.rows;
}

function visible(rows: PoolRow[]): SearchCandidate[] {
  return rows
    .filter((row): row is PoolRow & { id: string } => row.id !== null && row.visible)
    .map(({ visible: _, ...row }) => ({
      ...row,
      counted_plays: Number(row.counted_plays),
      created_at: Number(row.created_at),
    }));
}

interface Band {
  tier: number;
  documents: number;
}

interface Sizes {
  /** Documents in all (0 when unknown). */
  documents: number;
  /** The bands with an index, smallest first, and the documents each holds. */
  bands: Band[];
}

/**
 * How many documents the table and each band hold, from the statistics VACUUM and ANALYZE keep
 * (`pg_class.reltuples`): none before the table was first vacuumed or analyzed, a new node's
 * small table, where reading every match is cheap.
 */
async function readSizes(db: Kysely<Database>): Promise<Sizes> {
  const { rows } = await sql<Band>`
    select b.tier, c.reltuples as documents
    from unnest(${sql.val([0, ...BAND_TIERS])}::integer[]) as b (tier)
    join pg_class c
      on c.oid = to_regclass(case when b.tier = 0 then 'track_search' else 'track_search_band_' || b.tier end)
    where c.reltuples > 0
    order by b.tier desc`.execute(db);
  const all = rows.map((row) => ({ tier: row.tier, documents: Number(row.documents) }));
  return {
    documents: all.find((band) => band.tier === 0)?.documents ?? 0,
    bands: all.filter((band) => band.tier > 0),
  };
}

/**
 * A document as `put` stores it: tsvector input text (the benchmarks bulk-load it with COPY). Its
 * lexemes have no positions (ranking is done by the node, phrases are not searched): which field
 * a word is in shows in its lexeme instead of a weight, so that GIN alone decides a match and never
 * sends Postgres back to the row to check weights (which once doubled the rows a search read).
 */
export function tsvectorLiteral(document: SearchDocument): string {
  const lexemes = new Set<string>();
  for (const [words, mark] of [
    [document.title, ''],
    [document.artist, ''],
    [document.tags, OTHER_FIELDS_MARK],
    [document.genre, OTHER_FIELDS_MARK],
  ] as const) {
    for (const word of words) {
      lexemes.add(mark + word);
      const chars = [...word];
      for (let n = 1; n <= Math.min(PREFIX_LEXEMES, chars.length); n++)
        lexemes.add(mark + PREFIX_MARK + chars.slice(0, n).join(''));
    }
  }
  return [...lexemes].map(lexeme).join(' ');
}

/**
 * The query as tsquery input: each word in title or artist (bare lexemes), or in any field (bare
 * or marked). The word being typed matches as a prefix: one lexeme of its own up to
 * PREFIX_LEXEMES letters (`^ni`), then the dictionary words it starts (`completions`, when known),
 * else a prefix match (`'nigh':*`).
 */
function tsqueryLiteral(query: CandidateQuery, completions: ReadonlyMap<string, string[]>): string {
  const last = query.alternatives.length - 1;
  const marks = query.fields === 'title_artist' ? [''] : ['', OTHER_FIELDS_MARK];
  return query.alternatives
    .map((words, i) => {
      const prefix = query.lastIsPrefix && i === last;
      const terms = words.flatMap((word) => {
        const exact = (lexemes: string[]) => marks.flatMap((mark) => lexemes.map((l) => lexeme(mark + l)));
        if (!prefix) return exact([word]);
        if ([...word].length <= PREFIX_LEXEMES) return exact([PREFIX_MARK + word]);
        const whole = completions.get(word);
        if (whole) return exact(whole);
        return marks.map((mark) => `${lexeme(mark + word)}:*`);
      });
      // A word that starts no dictionary word matches nothing: a lexeme no document has.
      return `(${terms.length > 0 ? terms.join(' | ') : lexeme(PREFIX_MARK)})`;
    })
    .join(' & ');
}

/**
 * The dictionary words each word being typed (longer than PREFIX_LEXEMES) starts, when there are
 * at most MAX_COMPLETIONS. GIN reads a prefix match (`'losh':*`) in full, every document of every
 * word it starts, even when another word of the query has few: 15 ms for a word that 100,000
 * tracks have. The same words as exact lexemes let it skip through them instead. The dictionary
 * holds every indexed word of MIN_FUZZY_LENGTH (3) letters or more, so it misses none of them.
 */
async function completionsOf(db: Kysely<Database>, query: CandidateQuery): Promise<Map<string, string[]>> {
  const completions = new Map<string, string[]>();
  if (!query.lastIsPrefix) return completions;
  for (const word of query.alternatives.at(-1) ?? []) {
    if ([...word].length <= PREFIX_LEXEMES || completions.has(word)) continue;
    // Words are letters and digits only: no LIKE wildcard to escape. The trigram index serves LIKE.
    const { rows } = await sql<{ term: string }>`select term from search_terms where term like ${`${word}%`}
      limit ${MAX_COMPLETIONS + 1}`.execute(db);
    if (rows.length <= MAX_COMPLETIONS)
      completions.set(
        word,
        rows.map((row) => row.term),
      );
  }
  return completions;
}

/** A quoted lexeme as tsvector and tsquery input read it: verbatim, quotes and backslashes escaped. */
function lexeme(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
