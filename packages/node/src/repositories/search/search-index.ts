import type { Kysely } from 'kysely';
import { isPostgres } from '../../db/dialect.ts';
import type { Database } from '../../db/schema.ts';
import { PostgresSearchIndex } from './postgres-search-index.ts';
import { SqliteSearchIndex } from './sqlite-search-index.ts';
import type { SearchDocument } from './text.ts';

/** A track that matched, with what ranking needs (its words are re-tokenized by the ranker). */
export interface SearchCandidate {
  id: string;
  title: string;
  artist_name: string | null;
  tags: string;
  genre: string | null;
  owner: string;
  created_at: number;
  counted_plays: number;
}

export interface CandidateQuery {
  /** Per query word, the words it may match: what was typed first, then corrections. */
  alternatives: string[][];
  /** The last word is still being typed: its alternatives match as prefixes. */
  lastIsPrefix: boolean;
  /** Only title and artist (the first pool), or every field. */
  fields: 'title_artist' | 'all';
  /** Hidden and unfinished tracks of this address (owner or collaborator) are candidates too. */
  viewer: string | undefined;
  limit: number;
}

/**
 * The full-text index behind search, one implementation per database: SQLite FTS5 (unicode61 with
 * prefix indexes, and a trigram index of the vocabulary), Postgres tsvector with GIN (and pg_trgm
 * over the vocabulary). Writes run inside the caller's transaction so the index never disagrees
 * with the tracks table.
 *
 * Candidates come MOST PLAYED FIRST, at most `limit`: a two-letter prefix can match a third of a
 * million tracks, and scoring them all takes hundreds of milliseconds, so the index hands out the
 * most played matches and the ranker orders those by relevance and plays.
 */
export interface SearchIndex {
  /** Adds or replaces a track's words. */
  put(db: Kysely<Database>, trackId: string, document: SearchDocument): Promise<void>;
  remove(db: Kysely<Database>, trackId: string): Promise<void>;
  /** Counted plays of these tracks changed (settlement): re-order them where the engine needs it. */
  playsChanged(db: Kysely<Database>, trackIds: readonly string[]): Promise<void>;
  candidates(db: Kysely<Database>, query: CandidateQuery): Promise<SearchCandidate[]>;
  /** Vocabulary words sharing trigrams with a typed word, most similar first. */
  similarTerms(db: Kysely<Database>, term: string, prefix: boolean, limit: number): Promise<string[]>;
  /** Whether the vocabulary holds this word (as a prefix: a word starting with it). */
  isKnown(db: Kysely<Database>, term: string, prefix: boolean): Promise<boolean>;
}

const sqliteIndex = new SqliteSearchIndex();
const postgresIndex = new PostgresSearchIndex();

export function searchIndexFor(db: Kysely<Database>): SearchIndex {
  return isPostgres(db) ? postgresIndex : sqliteIndex;
}

/** Search reads for the service: whichever engine the node runs on. */
export class SearchRepository {
  readonly #db: Kysely<Database>;
  readonly #index: SearchIndex;
  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#index = searchIndexFor(db);
  }

  candidates(query: CandidateQuery): Promise<SearchCandidate[]> {
    return this.#index.candidates(this.#db, query);
  }

  similarTerms(term: string, prefix: boolean, limit: number): Promise<string[]> {
    return this.#index.similarTerms(this.#db, term, prefix, limit);
  }

  isKnown(term: string, prefix: boolean): Promise<boolean> {
    return this.#index.isKnown(this.#db, term, prefix);
  }
}
