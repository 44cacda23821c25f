import type { TrendingSpan } from '../db/schema.ts';
import { badRequest, notFound } from '../errors.ts';
import { type DiscoveryRepository, TRENDING_SPANS } from '../repositories/discovery.repository.ts';
import type { TrackRecord, TracksRepository } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import type { PromotionsService } from './promotions.service.ts';
import { TtlCache } from './ttl-cache.ts';

export const TRENDING_SPAN_NAMES = Object.keys(TRENDING_SPANS) as TrendingSpan[];
/** Genre counts cover every listed track; a minute-old answer is fine and spares the scan. */
const GENRES_TTL_MS = 60_000;
const MAX_GENRE_CHARS = 50;

/** A chart entry; the promoted one (first, at most one) is labeled with when its promotion ends. */
export interface TrendingItem {
  score: number;
  spanPlays: number;
  track: TrackRecord;
  promoted: boolean;
  /** Unix ms; null unless promoted. */
  promotedUntil: number | null;
}

/** Trending, new releases, genres, and the public page of a listed track. */
export class DiscoveryService {
  readonly #repo: DiscoveryRepository;
  readonly #tracks: TracksRepository;
  readonly #cursors: CursorCodec;
  readonly #now: () => number;
  readonly #promotions: PromotionsService | undefined;
  readonly #genres = new TtlCache<'all', { genre: string; tracks: number }[]>({
    ttlMs: GENRES_TTL_MS,
    maxEntries: 1,
  });

  constructor(
    repo: DiscoveryRepository,
    tracks: TracksRepository,
    options: { cursors: CursorCodec; now?: () => number; promotions?: PromotionsService },
  ) {
    this.#repo = repo;
    this.#tracks = tracks;
    this.#cursors = options.cursors;
    this.#now = options.now ?? Date.now;
    this.#promotions = options.promotions;
  }

  async trending(query: { span: TrendingSpan; genre?: string | undefined; limit: number }) {
    const genre = checkGenre(query.genre);
    const now = this.#now();
    const [rows, running] = await Promise.all([
      this.#repo.trending(query.span, genre, query.limit, now),
      this.#promotions?.running() ?? [],
    ]);
    const records = new Map(
      (
        await this.#tracks.findMany([...rows.map((row) => row.trackId), ...running.map((p) => p.trackId)])
      ).map((track) => [track.id, track]),
    );
    // The promoted slot (see PromotionsService): first, in addition to the chart, only in a genre's
    // chart when it is of that genre; its place in the chart, if it has one, is left out.
    const promoted = await this.#promotions?.pick(
      (p) => genre === undefined || records.get(p.trackId)?.genre?.toLowerCase() === genre.toLowerCase(),
    );
    const promotedTrack = promoted && records.get(promoted.trackId);
    const items: TrendingItem[] = rows.flatMap((row) => {
      const track = records.get(row.trackId);
      return track && row.trackId !== promotedTrack?.id
        ? [{ score: row.score, spanPlays: row.counted, track, promoted: false, promotedUntil: null }]
        : [];
    });
    if (promoted && promotedTrack) {
      const charted = rows.find((row) => row.trackId === promoted.trackId);
      items.unshift({
        score: charted?.score ?? 0,
        spanPlays: charted?.counted ?? 0,
        track: promotedTrack,
        promoted: true,
        promotedUntil: promoted.promotedUntil,
      });
    }
    return {
      span: query.span,
      genre: genre ?? null,
      halfLifeHours: TRENDING_SPANS[query.span].halfLifeMs / 3_600_000,
      items,
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
