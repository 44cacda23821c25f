import {
  awardKey,
  dayNumberOfString,
  dayString,
  FAN_REWARDS_POLICY,
  type FanPlay,
  type FirstListener,
  type ListenerDayCount,
  type Milestone,
  type PlaylistEvidence,
  type ProfileEvidence,
  type RepostEvidence,
  type TrendingEntry,
  trackDayKey,
} from '@fairstream/protocol';
import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { isPostgres } from '../db/dialect.ts';
import type { Database, FanRewardTable } from '../db/schema.ts';

export type FanRewardRow = FanRewardTable;

/** Accounts, tracks or pairs per statement: far below SQLite's and Postgres's parameter limits. */
const BATCH = 500;
const INSERT_ROWS = 200;

/** An award as the settlement stores it. */
export interface StoredAward {
  account: string;
  rule: string;
  period: string;
  amount: bigint;
  reason: string;
  evidence: unknown;
}

/** What an epoch's compute step found about fan rewards, written with its allocations. */
export interface FanEpochOutcome {
  awards: StoredAward[];
  trending: TrendingEntry[];
  milestones: Milestone[];
  /** The epochs table's fan_rewards JSON. */
  summary: string;
}

/**
 * Fan rewards' durable state and the facts their evaluation reads. "Published history" everywhere
 * here means the counted plays of epochs before `n` that did not end 'empty' (they published their
 * data): exactly what `fairstream verify` can read, so it can recompute every play-based rule.
 */
export class FanRewardsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  // --- Facts for the settlement of epoch n ---------------------------------------------------

  /** Trending entries and milestones found by epochs before n, for these tracks. */
  async trackEvents(
    n: number,
    trackIds: readonly string[],
  ): Promise<{ trending: Map<string, TrendingEntry>; milestones: Map<string, Milestone> }> {
    const trending = new Map<string, TrendingEntry>();
    const milestoneRows: { track_id: string; epoch: number; at: number; play_id: string }[] = [];
    for (const ids of batches([...new Set(trackIds)])) {
      const rows = await this.#db
        .selectFrom('fan_reward_tracks')
        .selectAll()
        .where('track_id', 'in', ids)
        .where('epoch', '<', n)
        .execute();
      for (const row of rows) {
        if (row.kind === 'trending') {
          trending.set(row.track_id, {
            trackId: row.track_id,
            epoch: Number(row.epoch),
            at: Number(row.at),
            playId: row.play_id,
            listener: row.listener ?? '',
            day: row.day ?? '',
          });
        } else milestoneRows.push(row);
      }
    }
    return { trending, milestones: await this.#milestones(milestoneRows) };
  }

  /** Milestones found before n whose first listeners include one of these accounts. */
  async milestonesOfFirstListeners(n: number, accounts: readonly string[]): Promise<Map<string, Milestone>> {
    const trackIds = new Set<string>();
    for (const ids of batches(accounts)) {
      const rows = await this.#db
        .selectFrom('fan_reward_first_listeners')
        .select('track_id')
        .where('listener', 'in', ids)
        .where('epoch', '<', n)
        .execute();
      for (const row of rows) trackIds.add(row.track_id);
    }
    return (await this.trackEvents(n, [...trackIds])).milestones;
  }

  async #milestones(rows: { track_id: string; epoch: number; at: number; play_id: string }[]) {
    const milestones = new Map<string, Milestone>();
    for (const row of rows) {
      milestones.set(row.track_id, {
        trackId: row.track_id,
        epoch: Number(row.epoch),
        at: Number(row.at),
        playId: row.play_id,
        firstListeners: [],
      });
    }
    for (const ids of batches([...milestones.keys()])) {
      const firsts = await this.#db
        .selectFrom('fan_reward_first_listeners')
        .selectAll()
        .where('track_id', 'in', ids)
        .orderBy('track_id')
        .orderBy('rank')
        .execute();
      for (const first of firsts) {
        milestones.get(first.track_id)!.firstListeners.push({
          listener: first.listener,
          playId: first.play_id,
          at: Number(first.at),
        } satisfies FirstListener);
      }
    }
    return milestones;
  }

  /** Each track's first `limit` counted plays of the published history, in (firstStartedAt, playId) order. */
  async trackFirstPlays(
    n: number,
    trackIds: readonly string[],
    limit: number,
  ): Promise<Map<string, FanPlay[]>> {
    const result = new Map<string, FanPlay[]>();
    for (const ids of batches(trackIds)) {
      for (const row of await this.#firstPlays(n, ids, undefined, limit))
        push(result, row.track_id, fanPlay(row));
    }
    return result;
  }

  /**
   * For each (track, day): that day's first `limit` counted plays of the published history, keyed
   * by protocol's trackDayKey (day numbers).
   */
  async trackDayPlays(
    n: number,
    pairs: readonly { trackId: string; day: number }[],
    limit: number,
  ): Promise<Map<string, FanPlay[]>> {
    const result = new Map<string, FanPlay[]>();
    const wanted = new Set(pairs.map((pair) => trackDayKey(pair.trackId, pair.day)));
    const byTrack = new Map<string, Set<string>>();
    for (const pair of pairs) {
      const days = byTrack.get(pair.trackId) ?? new Set();
      days.add(dayString(pair.day));
      byTrack.set(pair.trackId, days);
    }
    // Tracks played on the same few days go together: one statement per batch of tracks.
    for (const ids of batches([...byTrack.keys()])) {
      const days = [...new Set(ids.flatMap((id) => [...byTrack.get(id)!]))];
      for (const row of await this.#firstPlays(n, ids, days, limit)) {
        const key = trackDayKey(row.track_id, dayNumberOfString(row.day));
        if (wanted.has(key)) push(result, key, fanPlay(row));
      }
    }
    return result;
  }

  async #firstPlays(n: number, trackIds: string[], days: string[] | undefined, limit: number) {
    if (trackIds.length === 0) return [];
    // Code-unit order for play ids on Postgres too (its default collation may not be).
    const collate = isPostgres(this.#db) ? sql` collate "C"` : sql``;
    const partition = days ? sql`p.track_id, p.day` : sql`p.track_id`;
    const dayFilter = days ? sql` and p.day in (${sql.join(days)})` : sql``;
    const { rows } = await sql<PlayRow>`
      select listener, track_id, first_started_at, play_id, day from (
        select p.listener, p.track_id, p.first_started_at, p.play_id, p.day,
          row_number() over (partition by ${partition} order by p.first_started_at, p.play_id${collate}) as rn
        from plays p
        where p.verdict = 'counted' and p.epoch < ${n} and p.track_id in (${sql.join(trackIds)})${dayFilter}
          and not exists (select 1 from epochs e where e.n = p.epoch and e.state = 'empty')
      ) ranked
      where rn <= ${limit}`.execute(this.#db);
    return rows;
  }

  /**
   * Counted plays of the published history per listener, track and day: for `windowed` listeners
   * the days in [from, to] (day numbers), for `whole` listeners every day.
   */
  async listenerHistory(
    n: number,
    windowed: readonly string[],
    window: { from: number; to: number },
    whole: readonly string[],
  ): Promise<Map<string, ListenerDayCount[]>> {
    const result = new Map<string, ListenerDayCount[]>();
    const read = async (accounts: readonly string[], range?: { from: string; to: string }) => {
      for (const ids of batches(accounts)) {
        let query = this.#db
          .selectFrom('plays as p')
          .select(['p.listener', 'p.track_id', 'p.day', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('p.verdict', '=', 'counted')
          .where('p.epoch', '<', n)
          .where('p.listener', 'in', ids)
          .where(published);
        if (range) query = query.where('p.day', '>=', range.from).where('p.day', '<=', range.to);
        const rows = await query.groupBy(['p.listener', 'p.track_id', 'p.day']).execute();
        for (const row of rows) {
          push(result, row.listener, {
            trackId: row.track_id,
            day: dayNumberOfString(row.day),
            count: Number(row.n),
          });
        }
      }
    };
    const wholeSet = new Set(whole);
    await read(
      windowed.filter((account) => !wholeSet.has(account)),
      { from: dayString(window.from), to: dayString(window.to) },
    );
    await read(whole);
    return result;
  }

  /** `${listener}|${trackId}` pairs among these with a counted play in the published history. */
  async playedPairs(
    n: number,
    pairs: readonly { listener: string; trackId: string }[],
  ): Promise<Set<string>> {
    const played = new Set<string>();
    const wanted = new Set(pairs.map((pair) => `${pair.listener}|${pair.trackId}`));
    for (const chunk of batches(pairs)) {
      const rows = await this.#db
        .selectFrom('plays as p')
        .select(['p.listener', 'p.track_id'])
        .where('p.verdict', '=', 'counted')
        .where('p.epoch', '<', n)
        .where('p.listener', 'in', [...new Set(chunk.map((pair) => pair.listener))])
        .where('p.track_id', 'in', [...new Set(chunk.map((pair) => pair.trackId))])
        .where(published)
        .distinct()
        .execute();
      for (const row of rows) {
        const key = `${row.listener}|${row.track_id}`;
        if (wanted.has(key)) played.add(key);
      }
    }
    return played;
  }

  /** awardKey of the awards these accounts got in epochs before n. */
  async awarded(n: number, accounts: readonly string[]): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const ids of batches(accounts)) {
      const rows = await this.#db
        .selectFrom('fan_rewards')
        .select(['account', 'rule', 'period'])
        .where('account', 'in', ids)
        .where('epoch', '<', n)
        .execute();
      for (const row of rows) keys.add(awardKey(row.account, row.rule, row.period));
    }
    return keys;
  }

  /**
   * These accounts' reposts of tracks that entered trending (before n, or in n: `trendingNow`),
   * with the trending entries found before n of the tracks they name.
   */
  async repostsOfTrending(
    n: number,
    accounts: readonly string[],
    trendingNow: readonly string[],
  ): Promise<{ reposts: Map<string, RepostEvidence[]>; trending: Map<string, TrendingEntry> }> {
    const reposts = new Map<string, RepostEvidence[]>();
    const now = new Set(trendingNow);
    const trackIds = new Set<string>();
    for (const ids of batches(accounts)) {
      const rows = await this.#db
        .selectFrom('reposts as r')
        .select(['r.account', 'r.track_id', 'r.created_at'])
        .where('r.account', 'in', ids)
        .where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('fan_reward_tracks as t')
                .select(sql.lit(1).as('one'))
                .whereRef('t.track_id', '=', 'r.track_id')
                .where('t.kind', '=', 'trending')
                .where('t.epoch', '<', n),
            ),
            ...(now.size > 0 ? [eb('r.track_id', 'in', [...now])] : []),
          ]),
        )
        .orderBy('r.account')
        .orderBy('r.track_id')
        .execute();
      for (const row of rows) {
        push(reposts, row.account, { trackId: row.track_id, repostedAt: Number(row.created_at) });
        trackIds.add(row.track_id);
      }
    }
    const { trending } = await this.trackEvents(n, [...trackIds]);
    return { reposts, trending };
  }

  /** Complete profiles (handle, display name, avatar, bio) among these accounts. */
  async completeProfiles(accounts: readonly string[]): Promise<Map<string, ProfileEvidence>> {
    const profiles = new Map<string, ProfileEvidence>();
    for (const ids of batches(accounts)) {
      const rows = await this.#db
        .selectFrom('profiles as p')
        .select(['p.address', 'p.handle', 'p.display_name', 'p.bio'])
        .where('p.address', 'in', ids)
        .where('p.handle', 'is not', null)
        .where('p.display_name', 'is not', null)
        .where('p.bio', 'is not', null)
        .execute();
      const avatars = new Map<string, string>();
      if (rows.length > 0) {
        const avatarRows = await this.#db
          .selectFrom('profile_avatars')
          .select(['address', 'variant', 'cid'])
          .where(
            'address',
            'in',
            rows.map((row) => row.address),
          )
          .orderBy('address')
          .orderBy('variant')
          .execute();
        // One CID per account, the same every time: the first variant in code-unit order.
        for (const row of avatarRows) if (!avatars.has(row.address)) avatars.set(row.address, row.cid);
      }
      for (const row of rows) {
        const avatar = avatars.get(row.address);
        const [handle, displayName, bio] = [row.handle ?? '', row.display_name ?? '', row.bio ?? ''];
        if (!avatar || !handle.trim() || !displayName.trim() || !bio.trim()) continue;
        profiles.set(row.address, { handle, displayName, avatar, bioLength: bio.length });
      }
    }
    return profiles;
  }

  /** Each account's oldest public playlist (not an album) with at least the rule's number of tracks. */
  async qualifyingPlaylists(accounts: readonly string[]): Promise<Map<string, PlaylistEvidence>> {
    const playlists = new Map<string, PlaylistEvidence>();
    for (const ids of batches(accounts)) {
      const rows = await this.#db
        .selectFrom('playlists as p')
        .innerJoin('playlist_tracks as pt', 'pt.playlist_id', 'p.id')
        .select(['p.owner', 'p.id', 'p.created_at', (eb) => eb.fn.countAll<number | string>().as('tracks')])
        .where('p.owner', 'in', ids)
        .where('p.kind', '=', 'playlist')
        .where('p.visibility', '=', 'public')
        .groupBy(['p.owner', 'p.id', 'p.created_at'])
        .having((eb) => eb.fn.countAll(), '>=', FAN_REWARDS_POLICY.playlistMinTracks)
        .orderBy('p.owner')
        .orderBy('p.created_at')
        .orderBy('p.id')
        .execute();
      for (const row of rows) {
        if (playlists.has(row.owner)) continue;
        playlists.set(row.owner, {
          playlistId: row.id,
          tracks: Number(row.tracks),
          createdAt: Number(row.created_at),
        });
      }
    }
    return playlists;
  }

  // --- Writes: inside the transaction that commits the compute step ------------------------------

  /**
   * Replaces what epoch n found (a redone compute step finds it again) with `outcome`; with no
   * outcome, only removes it (an epoch that ended up paying nothing publishes no fan rewards). The
   * primary key (account, rule, period) refuses an award a second time, whatever the epoch.
   */
  static async saveEpoch(
    trx: Kysely<Database>,
    n: number,
    outcome: FanEpochOutcome | undefined,
    now: number,
  ) {
    await trx.deleteFrom('fan_rewards').where('epoch', '=', n).execute();
    await trx.deleteFrom('fan_reward_tracks').where('epoch', '=', n).execute();
    await trx.deleteFrom('fan_reward_first_listeners').where('epoch', '=', n).execute();
    await trx
      .updateTable('epochs')
      .set({ fan_rewards: outcome?.summary ?? null })
      .where('n', '=', n)
      .execute();
    if (!outcome) return;
    const awards = outcome.awards.map((award) => ({
      account: award.account.toLowerCase(),
      rule: award.rule,
      period: award.period,
      epoch: n,
      amount: award.amount.toString(),
      reason: award.reason,
      evidence: JSON.stringify(award.evidence),
      created_at: now,
    }));
    const tracks = [
      ...outcome.trending.map((entry) => ({
        track_id: entry.trackId,
        kind: 'trending' as const,
        epoch: n,
        at: entry.at,
        play_id: entry.playId,
        listener: entry.listener,
        day: entry.day,
      })),
      ...outcome.milestones.map((milestone) => ({
        track_id: milestone.trackId,
        kind: 'milestone' as const,
        epoch: n,
        at: milestone.at,
        play_id: milestone.playId,
        listener: null,
        day: null,
      })),
    ];
    const firsts = outcome.milestones.flatMap((milestone) =>
      milestone.firstListeners.map((first, rank) => ({
        track_id: milestone.trackId,
        rank: rank + 1,
        listener: first.listener,
        play_id: first.playId,
        at: first.at,
        epoch: n,
      })),
    );
    for (let start = 0; start < awards.length; start += INSERT_ROWS)
      await trx
        .insertInto('fan_rewards')
        .values(awards.slice(start, start + INSERT_ROWS))
        .execute();
    for (let start = 0; start < tracks.length; start += INSERT_ROWS)
      await trx
        .insertInto('fan_reward_tracks')
        .values(tracks.slice(start, start + INSERT_ROWS))
        .execute();
    for (let start = 0; start < firsts.length; start += INSERT_ROWS)
      await trx
        .insertInto('fan_reward_first_listeners')
        .values(firsts.slice(start, start + INSERT_ROWS))
        .execute();
  }

  // --- What an epoch published, and the API's reads ------------------------------------------

  /** Epoch n's awards, trending entries and milestones (as its data publishes them). */
  async ofEpoch(
    n: number,
  ): Promise<{ awards: FanRewardRow[]; trending: TrendingEntry[]; milestones: Milestone[] }> {
    const awards = await this.#db.selectFrom('fan_rewards').selectAll().where('epoch', '=', n).execute();
    const rows = await this.#db.selectFrom('fan_reward_tracks').selectAll().where('epoch', '=', n).execute();
    const trending = rows
      .filter((row) => row.kind === 'trending')
      .map((row) => ({
        trackId: row.track_id,
        epoch: Number(row.epoch),
        at: Number(row.at),
        playId: row.play_id,
        listener: row.listener ?? '',
        day: row.day ?? '',
      }))
      .sort((a, b) => compare(a.trackId, b.trackId));
    const milestones = [
      ...(await this.#milestones(rows.filter((row) => row.kind === 'milestone'))).values(),
    ].sort((a, b) => compare(a.trackId, b.trackId));
    return { awards, trending, milestones };
  }

  /** An account's awards with the state of the epoch that pays each, newest first. */
  async awardsOf(account: string): Promise<(FanRewardRow & { state: string | null })[]> {
    return this.#db
      .selectFrom('fan_rewards as f')
      .leftJoin('epochs as e', 'e.n', 'f.epoch')
      .selectAll('f')
      .select('e.state')
      .where('f.account', '=', account)
      .orderBy('f.epoch', 'desc')
      .orderBy('f.rule')
      .orderBy('f.period')
      .execute();
  }

  /** Distinct UTC days ('YYYY-MM-DD') with a counted play by the account, from `from` on, ascending. */
  async countedDays(account: string, from: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('plays as p')
      .select('p.day')
      .where('p.listener', '=', account)
      .where('p.verdict', '=', 'counted')
      .where('p.day', '>=', from)
      .where(published)
      .distinct()
      .orderBy('p.day')
      .execute();
    return rows.map((row) => row.day);
  }

  /** An account's reposts, with each track's trending entry when it has one. */
  async repostsWithTrending(
    account: string,
  ): Promise<{ trackId: string; repostedAt: number; trendingAt: number | null }[]> {
    const rows = await this.#db
      .selectFrom('reposts as r')
      .leftJoin('fan_reward_tracks as t', (join) =>
        join.onRef('t.track_id', '=', 'r.track_id').on('t.kind', '=', 'trending'),
      )
      .select(['r.track_id', 'r.created_at', 't.at'])
      .where('r.account', '=', account)
      .execute();
    return rows.map((row) => ({
      trackId: row.track_id,
      repostedAt: Number(row.created_at),
      trendingAt: row.at === null ? null : Number(row.at),
    }));
  }

  /** The most tracks in one of the account's public playlists (0 without one). */
  async largestPublicPlaylist(account: string): Promise<number> {
    const row = await this.#db
      .selectFrom('playlists as p')
      .innerJoin('playlist_tracks as pt', 'pt.playlist_id', 'p.id')
      .select(['p.id', (eb) => eb.fn.countAll<number | string>().as('tracks')])
      .where('p.owner', '=', account)
      .where('p.kind', '=', 'playlist')
      .where('p.visibility', '=', 'public')
      .groupBy('p.id')
      .orderBy('tracks', 'desc')
      .limit(1)
      .executeTakeFirst();
    return Number(row?.tracks ?? 0);
  }

  /** Which profile fields an account has filled. */
  async profileFields(
    account: string,
  ): Promise<{ handle: boolean; displayName: boolean; avatar: boolean; bio: boolean }> {
    const profile = await this.#db
      .selectFrom('profiles')
      .select(['handle', 'display_name', 'bio'])
      .where('address', '=', account)
      .executeTakeFirst();
    const avatar = await this.#db
      .selectFrom('profile_avatars')
      .select('cid')
      .where('address', '=', account)
      .limit(1)
      .executeTakeFirst();
    return {
      handle: Boolean(profile?.handle?.trim()),
      displayName: Boolean(profile?.display_name?.trim()),
      avatar: Boolean(avatar),
      bio: Boolean(profile?.bio?.trim()),
    };
  }
}

interface PlayRow {
  listener: string;
  track_id: string;
  first_started_at: number | string;
  play_id: string;
  day: string;
}

function fanPlay(row: PlayRow): FanPlay {
  return {
    playId: row.play_id,
    listener: row.listener,
    trackId: row.track_id,
    firstStartedAt: Number(row.first_started_at),
  };
}

/** Plays (aliased p) of epochs that published their data: not 'empty'. */
const published = sql<SqlBool>`not exists (select 1 from epochs e where e.n = p.epoch and e.state = 'empty')`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH) out.push(items.slice(start, start + BATCH));
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
