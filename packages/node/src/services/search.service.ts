import { badRequest } from '../errors.ts';
import type { ProfilesRepository } from '../repositories/profiles.repository.ts';
import type { SearchCandidate, SearchRepository } from '../repositories/search/search-index.ts';
import {
  allowedEdits,
  MIN_FUZZY_LENGTH,
  type ParsedQuery,
  parseQuery,
  searchDocument,
  typoDistance,
} from '../repositories/search/text.ts';
import type { TrackRecord, TracksRepository } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import { HANDLE_MAX } from './profile-fields.ts';
import { type UserSummary, userSummaries } from './profiles.service.ts';
import type { PromotionsService, RunningPromotion } from './promotions.service.ts';
import type { Viewer } from './tracks.service.ts';

export const SEARCH_TYPES = ['tracks', 'users'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const MAX_QUERY_CHARS = 200;
export const MAX_QUERY_TERMS = 12;
/**
 * Candidates per query: the most played tracks whose title or artist matches, then the most played
 * matching in any field (tags, genre). Every page of one query ranks the same pools.
 */
const TITLE_ARTIST_POOL = 200;
const ALL_FIELDS_POOL = 100;
/** With fewer exact matches than this, corrections of likely typos are searched too. */
const FUZZY_BELOW = 10;
const CORRECTIONS_PER_TERM = 4;
const SIMILAR_TERMS = 40;
/** Handles sharing trigrams with a typed one that are measured; the closest of them that are shown. */
const SIMILAR_HANDLES = 50;
const SIMILAR_USERS = 20;

/** How much each field's match is worth, and what a correction or a prefix keeps of a match. */
const FIELD_WEIGHTS = { title: 1, artist: 0.9, tags: 0.5, genre: 0.4 } as const;
const CORRECTION_QUALITY = [1, 0.75, 0.6] as const;
/** Each doubling of counted plays adds this much to a score whose relevance is at most 1.75. */
export const PLAYS_WEIGHT = 0.04;

interface Alternative {
  term: string;
  /** 1 for what was typed; less for a correction, by its edit distance. */
  quality: number;
}

export interface RankedCandidate {
  candidate: SearchCandidate;
  relevance: number;
  score: number;
}

/**
 * Search over tracks (titles, artist names, tags, genres), as you type and forgiving typos; and,
 * with type 'users', over handles, forgiving typos too (`searchUsers`).
 */
export class SearchService {
  readonly #search: SearchRepository;
  readonly #tracks: TracksRepository;
  readonly #cursors: CursorCodec;
  readonly #profiles: ProfilesRepository | undefined;
  readonly #promotions: PromotionsService | undefined;

  /** Without `profiles`, only tracks can be searched; without `promotions`, no promoted slot. */
  constructor(
    search: SearchRepository,
    tracks: TracksRepository,
    cursors: CursorCodec,
    profiles?: ProfilesRepository,
    promotions?: PromotionsService,
  ) {
    this.#search = search;
    this.#tracks = tracks;
    this.#cursors = cursors;
    this.#profiles = profiles;
    this.#promotions = promotions;
  }

  async search(
    query: { q: string; type: SearchType; limit: number; cursor?: string | undefined },
    viewer: Viewer,
  ): Promise<{ tracks: TrackRecord[]; promoted: RunningPromotion | null; nextCursor: string | null }> {
    const parsed = checkQuery(query.q);
    const scope = `search:${query.type}:${parsed.terms.join(' ')}${parsed.lastIsPrefix ? '*' : ''}:${viewer.address ?? ''}`;
    const offset = query.cursor ? (this.#cursors.decode(scope, query.cursor, ['integer'])[0] as number) : 0;
    const ranked = await this.rank(parsed, viewer.address);
    // The promoted slot (see PromotionsService), on the first page only and only for a track the
    // query matches: first, in addition to `limit`; its place among the results is left out of
    // that page, so paging by offset skips nothing.
    const matched = new Set(ranked.map((entry) => entry.candidate.id));
    const promoted =
      offset === 0 ? ((await this.#promotions?.pick((p) => matched.has(p.trackId))) ?? null) : null;
    const page = ranked
      .slice(offset, offset + query.limit)
      .map((entry) => entry.candidate.id)
      .filter((id) => id !== promoted?.trackId);
    const records = await this.#tracks.findMany(promoted ? [promoted.trackId, ...page] : page);
    const end = offset + query.limit;
    return {
      tracks: records,
      promoted: promoted && records[0]?.id === promoted.trackId ? promoted : null,
      nextCursor: end < ranked.length ? this.#cursors.encode(scope, [end]) : null,
    };
  }

  /**
   * Accounts whose handle starts with what was typed (an @ in front is ignored), most followed
   * first. Handles are a-z, 0-9, _ and .; a query with anything else matches no one.
   *
   * Typos: when fewer than FUZZY_BELOW handles start with it and it has at least MIN_FUZZY_LENGTH
   * characters, handles whose start is a few edits away (`typoDistance` in prefix mode, at most
   * `allowedEdits`) follow the exact matches: fewest edits first, then most followed, at most
   * SIMILAR_USERS of them. Paging stays an offset into one list: with that few exact matches the
   * whole list (under FUZZY_BELOW + SIMILAR_USERS accounts) is rebuilt for every page and sliced,
   * so the similar handles come as one bounded block after the last exact match; otherwise pages
   * read the exact matches alone, as far as they go.
   */
  async searchUsers(query: {
    q: string;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{ users: UserSummary[]; nextCursor: string | null }> {
    const profiles = this.#profiles;
    if (!profiles) throw new Error('This search service was built without profiles');
    const prefix = query.q.trim().replace(/^@/, '').toLowerCase();
    if (prefix === '' || prefix.length > HANDLE_MAX) {
      throw badRequest('invalid_query', `q must be the start of a handle, 1 to ${HANDLE_MAX} characters`);
    }
    if (!/^[a-z0-9_.]+$/.test(prefix)) return { users: [], nextCursor: null };
    const scope = `search:users:${prefix}`;
    const offset = query.cursor ? (this.#cursors.decode(scope, query.cursor, ['integer'])[0] as number) : 0;
    const end = offset + query.limit;
    const fuzzy =
      prefix.length >= MIN_FUZZY_LENGTH &&
      (await profiles.countHandlesByPrefix(prefix, FUZZY_BELOW)) < FUZZY_BELOW;
    let addresses: string[];
    let more: boolean;
    if (fuzzy) {
      const exact = await profiles.addressesByHandlePrefix(prefix, 0, FUZZY_BELOW);
      const all = [...exact, ...(await this.#similarHandles(profiles, prefix, new Set(exact)))];
      addresses = all.slice(offset, end);
      more = end < all.length;
    } else {
      const found = await profiles.addressesByHandlePrefix(prefix, offset, query.limit + 1);
      addresses = found.slice(0, query.limit);
      more = found.length > query.limit;
    }
    const summaries = await userSummaries(profiles, addresses);
    return {
      users: addresses.map((address) => summaries.get(address)!),
      nextCursor: more ? this.#cursors.encode(scope, [end]) : null,
    };
  }

  /** Accounts (not in `exact`) whose handle starts a few edits away from `typed`, best first. */
  async #similarHandles(profiles: ProfilesRepository, typed: string, exact: Set<string>): Promise<string[]> {
    const max = allowedEdits(typed.length);
    const candidates = await profiles.similarHandles(typed, SIMILAR_HANDLES);
    return candidates
      .filter((candidate) => !exact.has(candidate.address) && !candidate.handle_key.startsWith(typed))
      .map((candidate) => ({ ...candidate, distance: typoDistance(typed, candidate.handle_key, true) }))
      .filter((candidate) => candidate.distance <= max)
      .sort(
        (a, b) =>
          a.distance - b.distance ||
          b.followers - a.followers ||
          (a.handle_key < b.handle_key ? -1 : a.handle_key > b.handle_key ? 1 : 0),
      )
      .slice(0, SIMILAR_USERS)
      .map((candidate) => candidate.address);
  }

  /** Every candidate of a query, best first. */
  async rank(parsed: ParsedQuery, viewer: string | undefined): Promise<RankedCandidate[]> {
    const exact = parsed.terms.map((term) => [{ term, quality: 1 }]);
    const found = await this.#candidates(exact, parsed.lastIsPrefix, viewer);
    let alternatives = exact;
    if (found.size < FUZZY_BELOW) {
      alternatives = await this.#withCorrections(parsed);
      if (alternatives.some((options) => options.length > 1)) {
        for (const [id, candidate] of await this.#candidates(alternatives, parsed.lastIsPrefix, viewer))
          if (!found.has(id)) found.set(id, candidate);
      }
    }
    return rankCandidates(parsed, alternatives, [...found.values()]);
  }

  async #candidates(
    alternatives: Alternative[][],
    lastIsPrefix: boolean,
    viewer: string | undefined,
  ): Promise<Map<string, SearchCandidate>> {
    const words = alternatives.map((options) => options.map((option) => option.term));
    // Both pools at once: on Postgres, two connections (SQLite's one connection takes them in turn).
    const pools = await Promise.all(
      (
        [
          ['title_artist', TITLE_ARTIST_POOL],
          ['all', ALL_FIELDS_POOL],
        ] as const
      ).map(([fields, limit]) =>
        this.#search.candidates({ alternatives: words, lastIsPrefix, fields, viewer, limit }),
      ),
    );
    const found = new Map<string, SearchCandidate>();
    for (const rows of pools) for (const row of rows) if (!found.has(row.id)) found.set(row.id, row);
    return found;
  }

  /** Each typed word with the dictionary words it is likely a typo of (a few edits away). */
  async #withCorrections(parsed: ParsedQuery): Promise<Alternative[][]> {
    const last = parsed.terms.length - 1;
    return Promise.all(
      parsed.terms.map(async (term, i) => {
        const options: Alternative[] = [{ term, quality: 1 }];
        if ([...term].length < MIN_FUZZY_LENGTH) return options;
        const prefix = parsed.lastIsPrefix && i === last;
        // A word the dictionary holds (or, being typed, starts) is taken as meant.
        if (await this.#search.isKnown(term, prefix)) return options;
        const similar = await this.#search.similarTerms(term, prefix, SIMILAR_TERMS);
        const max = allowedEdits([...term].length);
        const corrections = similar
          .filter((word) => word !== term)
          .map((word) => ({ word, distance: typoDistance(term, word, prefix) }))
          .filter((entry) => entry.distance >= 1 && entry.distance <= max)
          .sort((a, b) => a.distance - b.distance || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
          .slice(0, CORRECTIONS_PER_TERM);
        for (const { word, distance } of corrections)
          options.push({ term: word, quality: CORRECTION_QUALITY[distance] ?? 0.5 });
        return options;
      }),
    );
  }
}

/** The query as searched, or a 400 saying what to change. */
export function checkQuery(q: string): ParsedQuery {
  if (q.length > MAX_QUERY_CHARS) {
    throw badRequest('invalid_query', `q is ${q.length} characters; search with at most ${MAX_QUERY_CHARS}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(q)) {
    throw badRequest('invalid_query', 'q contains control characters; send only the words to search for');
  }
  const parsed = parseQuery(q);
  if (parsed.terms.length === 0) {
    throw badRequest('invalid_query', 'q needs at least one letter or digit to search for');
  }
  if (parsed.terms.length > MAX_QUERY_TERMS) {
    throw badRequest(
      'invalid_query',
      `q has ${parsed.terms.length} words; search with at most ${MAX_QUERY_TERMS}`,
    );
  }
  return parsed;
}

/**
 * Relevance is the mean over query words of each word's best match: the field's weight (title 1,
 * artist 0.9, tags 0.5, genre 0.4) times the match (1 for the whole word; 0.7 to 1 for the start of
 * a word, by how much of it was typed) times the correction's quality (1 typed, 0.75 one edit, 0.6
 * two). A title that equals the query adds 0.5 (starts with it: 0.25); an artist name 0.3 (0.15).
 * The score adds PLAYS_WEIGHT·log2(1 + counted plays); ties go to the most played, then the newest.
 */
export function rankCandidates(
  parsed: ParsedQuery,
  alternatives: Alternative[][],
  candidates: SearchCandidate[],
): RankedCandidate[] {
  const phrase = parsed.terms.join(' ');
  const last = parsed.terms.length - 1;
  const ranked = candidates.map((candidate) => {
    const document = searchDocument(candidate);
    let total = 0;
    alternatives.forEach((options, i) => {
      const prefix = parsed.lastIsPrefix && i === last;
      let best = 0;
      for (const option of options) {
        for (const field of ['title', 'artist', 'tags', 'genre'] as const) {
          for (const word of document[field]) {
            const match =
              word === option.term
                ? 1
                : prefix && word.startsWith(option.term)
                  ? 0.7 + (0.3 * option.term.length) / word.length
                  : 0;
            best = Math.max(best, FIELD_WEIGHTS[field] * match * option.quality);
          }
        }
      }
      total += best;
    });
    let relevance = total / Math.max(1, alternatives.length);
    const title = document.title.join(' ');
    const artist = document.artist.join(' ');
    if (title === phrase) relevance += 0.5;
    else if (title.startsWith(phrase)) relevance += 0.25;
    if (artist === phrase) relevance += 0.3;
    else if (artist.startsWith(phrase)) relevance += 0.15;
    const score = relevance + PLAYS_WEIGHT * Math.log2(1 + candidate.counted_plays);
    return { candidate, relevance, score };
  });
  return ranked.sort(
    (a, b) =>
      b.score - a.score ||
      b.candidate.counted_plays - a.candidate.counted_plays ||
      b.candidate.created_at - a.candidate.created_at ||
      (a.candidate.id < b.candidate.id ? -1 : 1),
  );
}
