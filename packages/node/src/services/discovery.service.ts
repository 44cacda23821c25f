import type { TrendingSpan } from '../db/schema.ts';
import { badRequest, notFound } from '../errors.ts';
import { type DiscoveryRepository, TRENDING_SPANS } from '../repositories/discovery.repository.ts';
import type { TrackRecord, TracksRepository } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import { TtlCache } from './ttl-cache.ts';

export const TRENDING_SPAN_NAMES = Object.keys(TRENDING_SPANS) as TrendingSpan[];
/** Genre counts cover every listed track; a minute-old answer is fine and spares the scan. */
const GENRES_TTL_MS = 60_000;
const MAX_GENRE_CHARS = 50;

/** Trending, new releases, genres, and the public page of a listed track. */
export class DiscoveryService {
  readonly #repo: DiscoveryRepository;
  readonly #tracks: TracksRepository;
  readonly #cursors: CursorCodec;
  readonly #now: () => number;
  readonly #genres = new TtlCache<'all', { genre: string; tracks: number }[]>({
    ttlMs: GENRES_TTL_MS,
    maxEntries: 1,
  });

  constructor(
    repo: DiscoveryRepository,
    tracks: TracksRepository,
    options: { cursors: CursorCodec; now?: () => number },
  ) {
    this.#repo = repo;
    this.#tracks = tracks;
    this.#cursors = options.cursors;
    this.#now = options.now ?? Date.now;
  }

  async trending(query: { span: TrendingSpan; genre?: string | undefined; limit: number }) {
    const genre = checkGenre(query.genre);
    const now = this.#now();
    const rows = await this.#repo.trending(query.span, genre, query.limit, now);
    const records = new Map(
      (await this.#tracks.findMany(rows.map((row) => row.trackId))).map((track) => [track.id, track]),
    );
    return {
      span: query.span,
      genre: genre ?? null,
      halfLifeHours: TRENDING_SPANS[query.span].halfLifeMs / 3_600_000,
      items: rows.flatMap((row) => {
        const track = records.get(row.trackId);
        return track ? [{ score: row.score, spanPlays: row.counted, track }] : [];
      }),
    };
  }

  async releases(query: { genre?: string | undefined; cursor?: string | undefined; limit: number }) {
    const genre = checkGenre(query.genre);
    const scope = `releases:${genre ?? ''}`;
    const before = query.cursor
      ? (([releaseAt, id]) => ({ releaseAt: releaseAt as number, id: id as string }))(
          this.#cursors.decode(scope, query.cursor, ['integer', 'string']),
        )
      : undefined;
    const rows = await this.#repo.releases({ genre, before, now: this.#now(), limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      tracks: await this.#tracks.findMany(page.map((row) => row.id)),
      nextCursor:
        rows.length > query.limit && last ? this.#cursors.encode(scope, [last.release_at, last.id]) : null,
    };
  }

  async genres(): Promise<{ genre: string; tracks: number }[]> {
    const cached = this.#genres.get('all');
    if (cached) return cached;
    const genres = await this.#repo.genres();
    this.#genres.set('all', genres);
    return genres;
  }

  /**
   * A track anyone may see: ready, public, not delisted. Share pages, embeds and oEmbed serve no
   * other; for anything else they answer the same 404 an unknown id gets.
   */
  async listedTrack(id: string): Promise<TrackRecord> {
    const track = await this.#tracks.findById(id);
    if (track?.state !== 'ready' || track.visibility !== 'public' || track.delisted_at !== null) {
      throw notFound('Track');
    }
    return track;
  }
}

/** Genres are stored lower-case (track-fields.ts); a filter matches them the same way. */
function checkGenre(genre: string | undefined): string | undefined {
  if (genre === undefined) return undefined;
  const value = genre.trim().toLowerCase();
  if (value === '' || value.length > MAX_GENRE_CHARS) {
    throw badRequest(
      'invalid_genre',
      `genre must be 1 to ${MAX_GENRE_CHARS} characters (GET /genres lists them)`,
    );
  }
  return value;
}
