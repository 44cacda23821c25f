import { type ExpressionBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { type Keyset, olderThan } from './keyset.ts';
import { isListed } from './tracks.repository.ts';

/** Reposts and favorites share one shape; the counter column in track_counts has the same name. */
export type TrackAction = 'reposts' | 'favorites';

export interface AccountCounts {
  followers: number;
  following: number;
}

export interface TrackSocialRow {
  reposts: number;
  favorites: number;
  reposted: boolean;
  favorited: boolean;
}

/** An account in a list (followers, reposters…) with when it got there. */
export interface AccountAt {
  address: string;
  at: number;
}

export interface TrackAt {
  trackId: string;
  at: number;
}

/**
 * A feed position: items sort by time, then reposts (rank 1) before tracks (rank 0) at the same
 * millisecond, then by ids within their kind.
 */
export interface FeedPosition {
  at: number;
  rank: 0 | 1;
  /** The track id (both kinds). */
  trackId: string;
  /** The reposter ('' for a track). */
  account: string;
}

export interface FeedRow extends FeedPosition {
  kind: 'track' | 'repost';
  /** The track's owner (track) or the reposter (repost). */
  actor: string;
}

/**
 * Follows, reposts and favorites, with their counters kept in the same transaction: an action
 * changes its counter only when it changed a row, so repeating or undoing twice counts once.
 */
export class SocialRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** True when this call created the follow (false: it existed). */
  async follow(follower: string, followee: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('follows')
        .values({ follower, followee, created_at: now })
        .onConflict((oc) => oc.columns(['follower', 'followee']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      await bumpAccount(trx, followee, 'followers', 1);
      await bumpAccount(trx, follower, 'following', 1);
      return true;
    });
  }

  /** True when this call removed the follow (false: there was none). */
  async unfollow(follower: string, followee: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('follows')
        .where('follower', '=', follower)
        .where('followee', '=', followee)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return false;
      await bumpAccount(trx, followee, 'followers', -1);
      await bumpAccount(trx, follower, 'following', -1);
      return true;
    });
  }

  async accountCounts(address: string): Promise<AccountCounts> {
    const row = await this.#db
      .selectFrom('account_counts')
      .select(['followers', 'following'])
      .where('address', '=', address)
      .executeTakeFirst();
    return { followers: row?.followers ?? 0, following: row?.following ?? 0 };
  }

  /** Which of `addresses` the follower follows. */
  async followedAmong(follower: string, addresses: readonly string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom('follows')
      .select('followee')
      .where('follower', '=', follower)
      .where('followee', 'in', [...new Set(addresses)])
      .execute();
    return new Set(rows.map((row) => row.followee));
  }

  /** Who follows `address`, newest follow first. */
  async followers(address: string, before: Keyset | undefined, limit: number): Promise<AccountAt[]> {
    let query = this.#db
      .selectFrom('follows')
      .select(['follower as address', 'created_at as at'])
      .where('followee', '=', address);
    if (before) query = query.where((eb) => olderThan(eb, 'created_at', ['follower'], before));
    return query.orderBy('created_at', 'desc').orderBy('follower', 'desc').limit(limit).execute();
  }

  /** Whom `address` follows, newest follow first. */
  async following(address: string, before: Keyset | undefined, limit: number): Promise<AccountAt[]> {
    let query = this.#db
      .selectFrom('follows')
      .select(['followee as address', 'created_at as at'])
      .where('follower', '=', address);
    if (before) query = query.where((eb) => olderThan(eb, 'created_at', ['followee'], before));
    return query.orderBy('created_at', 'desc').orderBy('followee', 'desc').limit(limit).execute();
  }

  /** A repost or favorite; true when this call created it. */
  async addTrackAction(action: TrackAction, account: string, trackId: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto(action)
        .values({ account, track_id: trackId, created_at: now })
        .onConflict((oc) => oc.columns(['account', 'track_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      await trx
        .insertInto('track_counts')
        .values({ track_id: trackId, reposts: 0, favorites: 0, [action]: 1 })
        .onConflict((oc) =>
          oc.column('track_id').doUpdateSet((eb) => ({ [action]: eb(`track_counts.${action}`, '+', 1) })),
        )
        .execute();
      return true;
    });
  }

  /** Undoes a repost or favorite; true when this call removed it. */
  async removeTrackAction(action: TrackAction, account: string, trackId: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom(action)
        .where('account', '=', account)
        .where('track_id', '=', trackId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return false;
      await trx
        .updateTable('track_counts')
        .set((eb) => ({ [action]: eb(action, '-', 1) }))
        .where('track_id', '=', trackId)
        .execute();
      return true;
    });
  }

  /** Repost and favorite counts of tracks, and whether `viewer` reposted or favorited each. */
  async trackSocial(
    trackIds: readonly string[],
    viewer: string | undefined,
  ): Promise<Map<string, TrackSocialRow>> {
    const result = new Map<string, TrackSocialRow>();
    const ids = [...new Set(trackIds)];
    if (ids.length === 0) return result;
    for (const id of ids) result.set(id, { reposts: 0, favorites: 0, reposted: false, favorited: false });
    const counts = await this.#db
      .selectFrom('track_counts')
      .select(['track_id', 'reposts', 'favorites'])
      .where('track_id', 'in', ids)
      .execute();
    for (const row of counts)
      Object.assign(result.get(row.track_id)!, { reposts: row.reposts, favorites: row.favorites });
    if (viewer) {
      for (const [action, flag] of [
        ['reposts', 'reposted'],
        ['favorites', 'favorited'],
      ] as const) {
        const mine = await this.#db
          .selectFrom(action)
          .select('track_id')
          .where('account', '=', viewer)
          .where('track_id', 'in', ids)
          .execute();
        for (const row of mine) result.get(row.track_id)![flag] = true;
      }
    }
    return result;
  }

  /** Who reposted or favorited a track, newest first. */
  async trackActors(
    action: TrackAction,
    trackId: string,
    before: Keyset | undefined,
    limit: number,
  ): Promise<AccountAt[]> {
    let query = this.#db
      .selectFrom(action)
      .select(['account as address', 'created_at as at'])
      .where('track_id', '=', trackId);
    if (before) query = query.where((eb) => olderThan(eb, 'created_at', ['account'], before));
    return query.orderBy('created_at', 'desc').orderBy('account', 'desc').limit(limit).execute();
  }

  /**
   * What an account reposted or favorited, newest first: only listed tracks, plus the viewer's own
   * tracks whatever their state (an owner may see their hidden tracks anywhere; nobody else may).
   */
  async accountTracks(
    action: TrackAction,
    account: string,
    viewer: string | undefined,
    before: Keyset | undefined,
    limit: number,
  ): Promise<TrackAt[]> {
    let query = this.#db
      .selectFrom(`${action} as a`)
      .innerJoin('tracks', 'tracks.id', 'a.track_id')
      .select(['a.track_id as trackId', 'a.created_at as at'])
      .where('a.account', '=', account)
      .where((eb) => (viewer ? eb.or([isListed, eb('tracks.owner', '=', viewer)]) : isListed));
    if (before) query = query.where((eb) => olderThan(eb, 'a.created_at', ['a.track_id'], before));
    return query.orderBy('a.created_at', 'desc').orderBy('a.track_id', 'desc').limit(limit).execute();
  }

  /**
   * The viewer's feed: listed tracks of the accounts they follow and those accounts' reposts of
   * listed tracks, newest first; each kind in one bounded statement, merged here.
   */
  async feed(viewer: string, before: FeedPosition | undefined, limit: number): Promise<FeedRow[]> {
    const [trackRows, repostRows] = await Promise.all([
      this.#feedTracks(viewer, before, limit),
      this.#feedReposts(viewer, before, limit),
    ]);
    // Each list is in the database's order; across lists only time and rank decide, so ids are
    // never compared here (the database's collation may order them differently from JavaScript).
    const merged: FeedRow[] = [];
    let t = 0;
    let r = 0;
    while (merged.length < limit && (t < trackRows.length || r < repostRows.length)) {
      const track = trackRows[t];
      const repost = repostRows[r];
      if (repost && (!track || repost.at >= track.at)) {
        merged.push({ kind: 'repost', rank: 1, ...repost, account: repost.actor });
        r++;
      } else if (track) {
        merged.push({ kind: 'track', rank: 0, ...track, account: '' });
        t++;
      }
    }
    return merged;
  }

  /**
   * Followed accounts' listed tracks. Per followee, a correlated subquery finds the time of its
   * limit-th newest listed track after the cursor; nothing older can be on the page, so each
   * followee adds at most `limit` rows to sort, all read from tracks_owner_listed alone, however
   * many tracks it has.
   */
  async #feedTracks(viewer: string, before: FeedPosition | undefined, limit: number): Promise<FeedItemRow[]> {
    const after = (eb: ExpressionBuilder<Database, 'tracks'>) =>
      !before
        ? sql<SqlBool>`true`
        : before.rank === 1
          ? // A cursor on a repost at time T comes before every track of time T (reposts rank first).
            eb('tracks.created_at', '<=', before.at)
          : olderThan(eb, 'tracks.created_at', ['tracks.id'], { at: before.at, keys: [before.trackId] });
    const cutoffs = this.#db
      .selectFrom('follows')
      .where('follows.follower', '=', viewer)
      .select((eb) => [
        'follows.followee',
        eb
          .selectFrom('tracks')
          .select('tracks.created_at')
          .whereRef('tracks.owner', '=', 'follows.followee')
          .where(isListed)
          .where(after)
          .orderBy('tracks.created_at', 'desc')
          .orderBy('tracks.id', 'desc')
          .limit(1)
          .offset(limit - 1)
          .as('cutoff'),
      ])
      .as('c');
    return (
      this.#db
        .selectFrom(cutoffs)
        // CROSS JOIN keeps SQLite on this order (followees, then each one's index range) instead of
        // walking every listed track; on Postgres it is an ordinary join.
        .crossJoin('tracks')
        .select(['tracks.id as trackId', 'tracks.owner as actor', 'tracks.created_at as at'])
        .whereRef('tracks.owner', '=', 'c.followee')
        .where((eb) => eb('tracks.created_at', '>=', eb.fn.coalesce('c.cutoff', sql.lit(0))))
        .where(isListed)
        .where(after)
        .orderBy('tracks.created_at', 'desc')
        .orderBy('tracks.id', 'desc')
        .limit(limit)
        .execute()
    );
  }

  /**
   * Followed accounts' reposts of listed tracks. Whether a reposted track is listed takes a lookup
   * per repost, so the likely page is found first without them: the newest `2 × limit` reposts
   * (bounded per followee as for tracks, from reposts_account alone), then the listed ones among
   * those. That is the page unless too many of them were of unlisted tracks; then the exact query
   * (the same bound, counting listed reposts only) answers.
   */
  async #feedReposts(
    viewer: string,
    before: FeedPosition | undefined,
    limit: number,
  ): Promise<FeedItemRow[]> {
    const after = (eb: ExpressionBuilder<Database, 'reposts'>) =>
      !before
        ? sql<SqlBool>`true`
        : before.rank === 0
          ? eb('reposts.created_at', '<', before.at)
          : olderThan(eb, 'reposts.created_at', ['reposts.track_id', 'reposts.account'], {
              at: before.at,
              keys: [before.trackId, before.account],
            });
    const newest = (listedOnly: boolean, count: number) => {
      const cutoffs = this.#db
        .selectFrom('follows')
        .where('follows.follower', '=', viewer)
        .select((eb) => {
          let cutoff = eb.selectFrom('reposts').select('reposts.created_at');
          if (listedOnly)
            cutoff = cutoff.innerJoin('tracks', 'tracks.id', 'reposts.track_id').where(isListed);
          return [
            'follows.followee',
            cutoff
              .whereRef('reposts.account', '=', 'follows.followee')
              .where(after)
              .orderBy('reposts.created_at', 'desc')
              .orderBy('reposts.track_id', 'desc')
              .limit(1)
              .offset(count - 1)
              .as('cutoff'),
          ];
        })
        .as('c');
      let query = this.#db
        .selectFrom(cutoffs)
        .crossJoin('reposts')
        .select(['reposts.track_id as trackId', 'reposts.account as actor', 'reposts.created_at as at'])
        .whereRef('reposts.account', '=', 'c.followee')
        .where((eb) => eb('reposts.created_at', '>=', eb.fn.coalesce('c.cutoff', sql.lit(0))))
        .where(after);
      if (listedOnly) query = query.innerJoin('tracks', 'tracks.id', 'reposts.track_id').where(isListed);
      return query
        .orderBy('reposts.created_at', 'desc')
        .orderBy('reposts.track_id', 'desc')
        .orderBy('reposts.account', 'desc')
        .limit(count);
    };

    const candidates = 2 * limit;
    const likely = await this.#db
      .selectFrom(newest(false, candidates).as('r'))
      .leftJoin('tracks', (join) => join.onRef('tracks.id', '=', 'r.trackId').on(isListed))
      .select(['r.trackId', 'r.actor', 'r.at', 'tracks.id as listed'])
      .orderBy('r.at', 'desc')
      .orderBy('r.trackId', 'desc')
      .orderBy('r.actor', 'desc')
      .execute();
    const listed = likely.filter((row) => row.listed !== null);
    // Fewer candidates than asked for means none were left out; enough listed ones are the page.
    if (likely.length < candidates || listed.length >= limit) {
      return listed.slice(0, limit).map(({ trackId, actor, at }) => ({ trackId, actor, at }));
    }
    return newest(true, limit).execute();
  }
}

interface FeedItemRow {
  trackId: string;
  actor: string;
  at: number;
}

async function bumpAccount(
  trx: Transaction<Database>,
  address: string,
  column: 'followers' | 'following',
  delta: 1 | -1,
): Promise<void> {
  if (delta === -1) {
    await trx
      .updateTable('account_counts')
      .set((eb) => ({ [column]: eb(column, '-', 1) }))
      .where('address', '=', address)
      .execute();
    return;
  }
  await trx
    .insertInto('account_counts')
    .values({ address, followers: 0, following: 0, [column]: 1 })
    .onConflict((oc) =>
      oc.column('address').doUpdateSet((eb) => ({ [column]: eb(`account_counts.${column}`, '+', 1) })),
    )
    .execute();
}
