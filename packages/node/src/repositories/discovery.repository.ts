import { type Kysely, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database, TrendingSpan } from '../db/schema.ts';
import { searchIndexFor } from './search/search-index.ts';
import { isListed } from './tracks.repository.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Trending spans: counted plays of the span's last hours (24, 168 or 720 hourly buckets, the
 * current one included), each hour weighted 2^(−age/halfLife), age measured from the hour's start.
 */
export const TRENDING_SPANS: Record<TrendingSpan, { spanMs: number; halfLifeMs: number }> = {
  day: { spanMs: DAY_MS, halfLifeMs: 6 * HOUR_MS },
  week: { spanMs: 7 * DAY_MS, halfLifeMs: 2 * DAY_MS },
  month: { spanMs: 30 * DAY_MS, halfLifeMs: 7 * DAY_MS },
};

/**
 * Scores are stored scaled to a reference time so that a settlement only touches the tracks it
 * changed: the rest keep their order, since every score decays by the same factor. The reference
 * moves (one pass over the span's rows) before the factors could leave double precision's range.
 */
const RESCALE_AFTER_HALF_LIVES = 256;
const ROWS_PER_STATEMENT = 500;

/** A change of one track's counted plays in one hour. */
export interface HourlyDelta {
  track_id: string;
  hour: number;
  n: number;
}

export const floorTo = (time: number, unit: number) => Math.floor(time / unit) * unit;

/**
 * Adds (sign 1) or withdraws (sign −1) the counted plays an epoch's stored verdicts hold to every
 * aggregate. Runs inside the transaction that replaces the epoch's verdicts: withdrawing the stored
 * ones before they are deleted and adding the new ones after they are inserted keeps the aggregates
 * exact when judging is redone, and a crash leaves both or neither. Answers the hourly changes.
 */
export async function applyEpochCountedPlays(
  trx: Kysely<Database>,
  epoch: number,
  sign: 1 | -1,
): Promise<HourlyDelta[]> {
  const hourExpr = sql`(first_started_at / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`;
  const dayExpr = sql`(first_started_at / ${sql.lit(DAY_MS)}) * ${sql.lit(DAY_MS)}`;
  const counted = sql`from plays where epoch = ${epoch} and verdict = 'counted'`;
  const n = sql`${sql.lit(sign)} * count(*)`;
  const hourly = await sql<HourlyDelta>`select track_id, ${hourExpr} as hour, ${n} as n ${counted}
    group by track_id, ${hourExpr}`.execute(trx);
  if (hourly.rows.length === 0) return [];
  await sql`insert into track_play_counts (track_id, counted)
    select track_id, ${n} ${counted} group by track_id
    on conflict (track_id) do update set counted = track_play_counts.counted + excluded.counted`.execute(trx);
  await sql`insert into track_plays_hourly (track_id, hour, counted)
    select track_id, ${hourExpr}, ${n} ${counted} group by track_id, ${hourExpr}
    on conflict (track_id, hour) do update set counted = track_plays_hourly.counted + excluded.counted`.execute(
    trx,
  );
  await sql`insert into track_listener_days (track_id, day, listener, counted)
    select track_id, ${dayExpr}, listener, ${n} ${counted} group by track_id, ${dayExpr}, listener
    on conflict (track_id, day, listener)
    do update set counted = track_listener_days.counted + excluded.counted`.execute(trx);
  await sql`insert into track_source_days (track_id, day, source, counted)
    select track_id, ${dayExpr}, coalesce(source, 'unknown'), ${n} ${counted}
    group by track_id, ${dayExpr}, coalesce(source, 'unknown')
    on conflict (track_id, day, source) do update set counted = track_source_days.counted + excluded.counted`.execute(
    trx,
  );
  return hourly.rows.map((row) => ({ track_id: row.track_id, hour: Number(row.hour), n: Number(row.n) }));
}

/**
 * After an epoch's counted plays changed: drops aggregate rows a redo emptied, brings trending up
 * to `now` and tells the search index whose plays changed. Same transaction as the verdicts.
 */
export async function afterCountedPlaysChanged(
  trx: Kysely<Database>,
  deltas: HourlyDelta[],
  withdrew: boolean,
  now: number,
): Promise<void> {
  const trackIds = [...new Set(deltas.map((delta) => delta.track_id))];
  if (withdrew) {
    for (let start = 0; start < trackIds.length; start += ROWS_PER_STATEMENT) {
      const ids = trackIds.slice(start, start + ROWS_PER_STATEMENT);
      await trx
        .deleteFrom('track_play_counts')
        .where('counted', '=', 0)
        .where('track_id', 'in', ids)
        .execute();
      await trx
        .deleteFrom('track_plays_hourly')
        .where('counted', '=', 0)
        .where('track_id', 'in', ids)
        .execute();
      await trx
        .deleteFrom('track_listener_days')
        .where('counted', '=', 0)
        .where('track_id', 'in', ids)
        .execute();
      await trx
        .deleteFrom('track_source_days')
        .where('counted', '=', 0)
        .where('track_id', 'in', ids)
        .execute();
    }
  }
  await refreshTrending(trx, deltas, now);
  if (trackIds.length > 0) await searchIndexFor(trx).playsChanged(trx, trackIds);
}

/**
 * Brings every span's scores to `now`: adds the hourly changes of this settlement and takes out
 * the hours that left the span since the last one. Work is proportional to what changed, never to
 * the number of tracks. A span with no state yet (a new node, or after the migration) is built
 * from the hourly counts once.
 */
export async function refreshTrending(
  trx: Kysely<Database>,
  deltas: HourlyDelta[],
  now: number,
): Promise<void> {
  const currentHour = floorTo(now, HOUR_MS);
  for (const [span, { spanMs, halfLifeMs }] of Object.entries(TRENDING_SPANS) as [
    TrendingSpan,
    (typeof TRENDING_SPANS)[TrendingSpan],
  ][]) {
    const cutoff = currentHour - spanMs + HOUR_MS;
    const state = await trx
      .selectFrom('trending_state')
      .selectAll()
      .where('span', '=', span)
      .executeTakeFirst();
    const changes = new Map<string, { counted: number; score: number }>();
    let ref = state ? Number(state.ref) : currentHour;
    let expiredBefore = state ? Number(state.expired_before) : cutoff;
    const add = (trackId: string, hour: number, n: number) => {
      const change = changes.get(trackId) ?? { counted: 0, score: 0 };
      change.counted += n;
      change.score += n * 2 ** ((hour - ref) / halfLifeMs);
      changes.set(trackId, change);
    };
    if (!state) {
      await trx.deleteFrom('trending_scores').where('span', '=', span).execute();
      const rows = await trx
        .selectFrom('track_plays_hourly')
        .select(['track_id', 'hour', 'counted'])
        .where('hour', '>=', cutoff)
        .execute();
      for (const row of rows) add(row.track_id, Number(row.hour), Number(row.counted));
    } else {
      // Hours already out of the span stay out (a straggler judged late); the rest count now.
      for (const delta of deltas) if (delta.hour >= expiredBefore) add(delta.track_id, delta.hour, delta.n);
      if (cutoff > expiredBefore) {
        const leaving = await trx
          .selectFrom('track_plays_hourly')
          .select(['track_id', 'hour', 'counted'])
          .where('hour', '>=', expiredBefore)
          .where('hour', '<', cutoff)
          .execute();
        for (const row of leaving) add(row.track_id, Number(row.hour), -Number(row.counted));
        expiredBefore = cutoff;
      }
    }
    await applyTrendingChanges(trx, span, changes);
    if ((currentHour - ref) / halfLifeMs > RESCALE_AFTER_HALF_LIVES) {
      const factor = 2 ** ((ref - currentHour) / halfLifeMs);
      await trx
        .updateTable('trending_scores')
        .set((eb) => ({ score: eb('score', '*', factor) }))
        .where('span', '=', span)
        .execute();
      ref = currentHour;
    }
    await trx
      .insertInto('trending_state')
      .values({ span, ref, expired_before: expiredBefore })
      .onConflict((conflict) => conflict.column('span').doUpdateSet({ ref, expired_before: expiredBefore }))
      .execute();
  }
}

async function applyTrendingChanges(
  trx: Kysely<Database>,
  span: TrendingSpan,
  changes: Map<string, { counted: number; score: number }>,
): Promise<void> {
  const ids = [...changes.keys()];
  for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
    const batch = ids.slice(start, start + ROWS_PER_STATEMENT);
    const existing = new Set(
      (
        await trx
          .selectFrom('trending_scores')
          .select('track_id')
          .where('span', '=', span)
          .where('track_id', 'in', batch)
          .execute()
      ).map((row) => row.track_id),
    );
    // A new row needs its track (for the genre); plays of a deleted track no longer chart.
    const fresh = batch.filter((id) => !existing.has(id) && changes.get(id)!.counted > 0);
    const genres = new Map<string, string | null>();
    if (fresh.length > 0) {
      for (const row of await trx
        .selectFrom('tracks')
        .select(['id', 'genre'])
        .where('id', 'in', fresh)
        .execute())
        genres.set(row.id, row.genre);
    }
    const rows = batch
      .filter((id) => existing.has(id) || genres.has(id))
      .map((id) => ({
        span,
        track_id: id,
        genre: genres.get(id) ?? null,
        counted: changes.get(id)!.counted,
        score: changes.get(id)!.score,
      }));
    if (rows.length > 0) {
      await trx
        .insertInto('trending_scores')
        .values(rows)
        .onConflict((conflict) =>
          conflict.columns(['span', 'track_id']).doUpdateSet((eb) => ({
            counted: eb('trending_scores.counted', '+', eb.ref('excluded.counted')),
            score: eb('trending_scores.score', '+', eb.ref('excluded.score')),
          })),
        )
        .execute();
    }
    await trx
      .deleteFrom('trending_scores')
      .where('span', '=', span)
      .where('counted', '<=', 0)
      .where('track_id', 'in', batch)
      .execute();
  }
}

export interface TrendingRow {
  trackId: string;
  /** Decayed counted plays as of `now`. */
  score: number;
  /** Counted plays in the span. */
  counted: number;
}

export interface InsightRange {
  from: number;
  to: number;
}

/** Reads for trending, new releases, genres and artist insights. */
export class DiscoveryRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** The top of a span's chart (listed tracks only), from its index: no scan of the span. */
  async trending(
    span: TrendingSpan,
    genre: string | undefined,
    limit: number,
    now: number,
  ): Promise<TrendingRow[]> {
    const state = await this.#db
      .selectFrom('trending_state')
      .selectAll()
      .where('span', '=', span)
      .executeTakeFirst();
    if (!state) return [];
    let query = this.#db
      .selectFrom('trending_scores as ts')
      .innerJoin('tracks', 'tracks.id', 'ts.track_id')
      .select(['ts.track_id', 'ts.score', 'ts.counted'])
      .where('ts.span', '=', span)
      .where(isListed);
    if (genre !== undefined) query = query.where('ts.genre', '=', genre);
    const rows = await query
      .orderBy('ts.score', 'desc')
      .orderBy('ts.track_id', 'desc')
      .limit(limit)
      .execute();
    const { halfLifeMs } = TRENDING_SPANS[span];
    const decay = 2 ** ((Number(state.ref) - now) / halfLifeMs);
    return rows.map((row) => ({
      trackId: row.track_id,
      score: Number(row.score) * decay,
      counted: Number(row.counted),
    }));
  }

  /** Listed tracks released by `now`, newest release first, after the cursor's (releaseAt, id). */
  async releases(query: {
    genre?: string | undefined;
    before?: { releaseAt: number; id: string } | undefined;
    now: number;
    limit: number;
  }): Promise<{ id: string; release_at: number }[]> {
    let select = this.#db
      .selectFrom('tracks')
      .select(['id', 'release_at'])
      .where(isListed)
      .where('release_at', '<=', query.now);
    if (query.genre !== undefined) select = select.where('genre', '=', query.genre);
    const before = query.before;
    if (before) {
      select = select.where((eb) =>
        eb.or([
          eb('release_at', '<', before.releaseAt),
          eb.and([eb('release_at', '=', before.releaseAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    const rows = await select
      .orderBy('release_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({ id: row.id, release_at: Number(row.release_at) }));
  }

  /** Genres of listed tracks with how many each has, most first. */
  async genres(): Promise<{ genre: string; tracks: number }[]> {
    const rows = await this.#db
      .selectFrom('tracks')
      .select(['genre', (eb) => eb.fn.countAll<number | string>().as('tracks')])
      .where(isListed)
      .where('genre', 'is not', null)
      .groupBy('genre')
      .execute();
    return rows
      .map((row) => ({ genre: row.genre as string, tracks: Number(row.tracks) }))
      .sort((a, b) => b.tracks - a.tracks || (a.genre < b.genre ? -1 : a.genre > b.genre ? 1 : 0));
  }

  async countedPlays(trackId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('track_play_counts')
      .select('counted')
      .where('track_id', '=', trackId)
      .executeTakeFirst();
    return Number(row?.counted ?? 0);
  }

  /** Counted plays per hour in [from, to) (hours with none are absent). */
  async hourlyPlays(trackId: string, range: InsightRange): Promise<{ hour: number; counted: number }[]> {
    const rows = await this.#db
      .selectFrom('track_plays_hourly')
      .select(['hour', 'counted'])
      .where('track_id', '=', trackId)
      .where('hour', '>=', range.from)
      .where('hour', '<', range.to)
      .orderBy('hour')
      .execute();
    return rows.map((row) => ({ hour: Number(row.hour), counted: Number(row.counted) }));
  }

  /** Distinct listeners with a counted play on the UTC days in [from, to). */
  async uniqueListeners(trackId: string, range: InsightRange): Promise<number> {
    const row = await this.#db
      .selectFrom('track_listener_days')
      .select((eb) => eb.fn.count<number | string>('listener').distinct().as('n'))
      .where('track_id', '=', trackId)
      .where('day', '>=', range.from)
      .where('day', '<', range.to)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Distinct listeners with a counted play, per UTC day in [from, to) (days without any are absent). */
  async listenersByDay(trackId: string, range: InsightRange): Promise<{ day: number; listeners: number }[]> {
    const rows = await this.#db
      .selectFrom('track_listener_days')
      .select(['day', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('track_id', '=', trackId)
      .where('day', '>=', range.from)
      .where('day', '<', range.to)
      .groupBy('day')
      .execute();
    // One row per (track, day, listener): the primary key makes a row count a distinct count.
    return rows.map((row) => ({ day: Number(row.day), listeners: Number(row.n) }));
  }

  /** Listeners by counted plays on the UTC days in [from, to), with whether each hides from top fans. */
  async topFans(
    trackId: string,
    range: InsightRange,
    limit: number,
  ): Promise<{ listener: string; counted: number; hidden: boolean }[]> {
    const rows = await this.#db
      .selectFrom('track_listener_days as d')
      .leftJoin('fan_privacy as p', 'p.address', 'd.listener')
      .select([
        'd.listener',
        (eb) => eb.fn.sum<number | string>('d.counted').as('counted'),
        'p.hide_from_top_fans',
      ])
      .where('d.track_id', '=', trackId)
      .where('d.day', '>=', range.from)
      .where('d.day', '<', range.to)
      .groupBy(['d.listener', 'p.hide_from_top_fans'])
      .orderBy('counted', 'desc')
      .orderBy('d.listener')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      listener: row.listener,
      counted: Number(row.counted),
      hidden: Number(row.hide_from_top_fans ?? 0) === 1,
    }));
  }

  /**
   * Listeners by counted plays summed over every track `owner` owns, on the UTC days from `since`
   * on, with whether each hides from top fans. The owner's own plays never count; they are left out.
   */
  async topFansOfOwner(
    owner: string,
    since: number,
    limit: number,
  ): Promise<{ listener: string; counted: number; hidden: boolean }[]> {
    const rows = await this.#db
      .selectFrom('track_listener_days as d')
      .innerJoin('tracks as t', 't.id', 'd.track_id')
      .leftJoin('fan_privacy as p', 'p.address', 'd.listener')
      .select([
        'd.listener',
        (eb) => eb.fn.sum<number | string>('d.counted').as('counted'),
        'p.hide_from_top_fans',
      ])
      .where('t.owner', '=', owner)
      .where('d.listener', '<>', owner)
      .where('d.day', '>=', since)
      .groupBy(['d.listener', 'p.hide_from_top_fans'])
      .orderBy('counted', 'desc')
      .orderBy('d.listener')
      .limit(limit)
      .execute();
    return rows
      .map((row) => ({
        listener: row.listener,
        counted: Number(row.counted),
        hidden: Number(row.hide_from_top_fans ?? 0) === 1,
      }))
      .filter((row) => row.counted > 0);
  }

  /** Counted plays per source on the UTC days in [from, to). */
  async playsBySource(trackId: string, range: InsightRange): Promise<{ source: string; counted: number }[]> {
    const rows = await this.#db
      .selectFrom('track_source_days')
      .select(['source', (eb) => eb.fn.sum<number | string>('counted').as('counted')])
      .where('track_id', '=', trackId)
      .where('day', '>=', range.from)
      .where('day', '<', range.to)
      .groupBy('source')
      .execute();
    return rows.map((row) => ({ source: row.source, counted: Number(row.counted) }));
  }

  /** The newest epoch whose verdicts are stored (past 'judge'), or -1: insights change with it. */
  async lastJudgedEpoch(): Promise<number> {
    const row = await this.#db
      .selectFrom('epochs')
      .select('n')
      .where('state', '<>', 'judge')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.n) : -1;
  }

  async fanPrivacy(address: string): Promise<{ hideFromTopFans: boolean; updatedAt: number | null }> {
    const row = await this.#db
      .selectFrom('fan_privacy')
      .selectAll()
      .where('address', '=', address)
      .executeTakeFirst();
    return {
      hideFromTopFans: Number(row?.hide_from_top_fans ?? 0) === 1,
      updatedAt: row ? Number(row.updated_at) : null,
    };
  }

  async setFanPrivacy(address: string, hideFromTopFans: boolean, now: number): Promise<void> {
    const value = hideFromTopFans ? 1 : 0;
    await this.#db
      .insertInto('fan_privacy')
      .values({ address, hide_from_top_fans: value, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('address').doUpdateSet({ hide_from_top_fans: value, updated_at: now }),
      )
      .execute();
  }
}
