import { badRequest } from '../errors.ts';
import type {
  AccountAt,
  FeedPosition,
  SocialRepository,
  TrackAction,
  TrackSocialRow,
} from '../repositories/social.repository.ts';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import type { NotificationsService } from './notifications.service.ts';
import type { Profile, ProfilesService, UserSummary } from './profiles.service.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

export type TrackSocial = TrackSocialRow;

/** A track with its repost and favorite counts and what the viewer did with it. */
export interface SocialTrack {
  track: TrackRecord;
  social: TrackSocial;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FeedItem {
  type: 'track' | 'repost';
  /** When it was posted (track) or reposted (repost), Unix ms. */
  at: number;
  /** The track's owner for a track, the reposter for a repost. */
  actor: UserSummary;
  item: SocialTrack;
}

export interface ProfilePage extends Profile {
  followers: number;
  following: number;
  /** Whether the signed-in viewer follows this account (false when signed out). */
  followedByViewer: boolean;
  /** Listed tracks (all of them for the owner), newest first; continue at GET /tracks?owner=. */
  tracks: Page<SocialTrack>;
  /** Reposts of listed tracks, newest first; continue at GET /users/{address}/reposts. */
  reposts: Page<SocialTrack & { at: number }>;
}

const ACTIONS: Record<'repost' | 'favorite', TrackAction> = { repost: 'reposts', favorite: 'favorites' };

export interface SocialServiceOptions {
  cursors: CursorCodec;
  now?: () => number;
}

/**
 * Follows, reposts, favorites, the lists they make, the feed and profile pages. Every track it
 * shows passed the listing rule (isListed) in the query that found it, or is the viewer's own; a
 * track the actor may not see is a 404 exactly like an unknown one.
 */
export class SocialService {
  readonly #repo: SocialRepository;
  readonly #tracks: TracksService;
  readonly #profiles: ProfilesService;
  readonly #notifications: NotificationsService;
  readonly #cursors: CursorCodec;
  readonly #now: () => number;

  constructor(
    repo: SocialRepository,
    tracks: TracksService,
    profiles: ProfilesService,
    notifications: NotificationsService,
    options: SocialServiceOptions,
  ) {
    this.#repo = repo;
    this.#tracks = tracks;
    this.#profiles = profiles;
    this.#notifications = notifications;
    this.#cursors = options.cursors;
    this.#now = options.now ?? Date.now;
  }

  /** Idempotent: following twice is one follow. Answers the followee's follower count. */
  async follow(follower: string, handleOrAddress: string): Promise<{ address: string; followers: number }> {
    const followee = await this.#profiles.resolve(handleOrAddress);
    if (followee === follower) throw badRequest('cannot_follow_self', 'You cannot follow yourself');
    await this.#repo.follow(follower, followee, this.#now());
    // Also on a repeat: a notification lost to a crash right after the follow committed is sent now
    // (notify() stores one per follower, so nothing doubles).
    await this.#notifications.notify({
      recipient: followee,
      kind: 'follow',
      actor: follower,
      key: `follow:${follower}`,
    });
    return { address: followee, followers: (await this.#repo.accountCounts(followee)).followers };
  }

  /** Idempotent: unfollowing someone not followed changes nothing. */
  async unfollow(follower: string, handleOrAddress: string): Promise<void> {
    const followee = await this.#profiles.resolve(handleOrAddress);
    await this.#repo.unfollow(follower, followee);
  }

  /**
   * Reposts or favorites a track the account may see (a hidden one of someone else is a 404, as an
   * unknown one); idempotent. Answers the track's counts.
   */
  async act(kind: 'repost' | 'favorite', account: string, trackId: string): Promise<TrackSocial> {
    const track = await this.#tracks.get(trackId, { address: account });
    await this.#repo.addTrackAction(ACTIONS[kind], account, track.id, this.#now());
    await this.#notifications.notify({
      recipient: track.owner,
      kind,
      actor: account,
      trackId: track.id,
      key: `${kind}:${account}:${track.id}`,
    });
    return this.#socialOf(track.id, account);
  }

  /** Undoes a repost or favorite; idempotent, and a 404 for a track the account may not see. */
  async undo(kind: 'repost' | 'favorite', account: string, trackId: string): Promise<void> {
    const track = await this.#tracks.get(trackId, { address: account });
    await this.#repo.removeTrackAction(ACTIONS[kind], account, track.id);
  }

  /** Counts and the viewer's flags for tracks the caller already shows. */
  async trackSocial(
    trackIds: readonly string[],
    viewer: string | undefined,
  ): Promise<Map<string, TrackSocial>> {
    return this.#repo.trackSocial(trackIds, viewer);
  }

  async profilePage(handleOrAddress: string, viewer: Viewer, limit: number): Promise<ProfilePage> {
    const address = await this.#profiles.resolve(handleOrAddress);
    const [profile, counts, followed, tracks, reposts] = await Promise.all([
      this.#profiles.get(address),
      this.#repo.accountCounts(address),
      viewer.address ? this.#repo.followedAmong(viewer.address, [address]) : new Set<string>(),
      this.#tracks.list({ owner: address, limit }, { address: viewer.address }),
      this.#accountTracks('repost', address, viewer.address, { limit }),
    ]);
    return {
      ...profile,
      followers: counts.followers,
      following: counts.following,
      followedByViewer: followed.has(address),
      tracks: { items: await this.#withSocial(tracks.tracks, viewer.address), nextCursor: tracks.nextCursor },
      reposts,
    };
  }

  /** Who follows an account (`followers`) or whom it follows (`following`), newest first. */
  async accounts(
    list: 'followers' | 'following',
    handleOrAddress: string,
    viewer: string | undefined,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<UserSummary & { at: number; followedByViewer: boolean }>> {
    const address = await this.#profiles.resolve(handleOrAddress);
    return this.#accountPage(`${list}:${address}`, query, viewer, (before, limit) =>
      list === 'followers'
        ? this.#repo.followers(address, before, limit)
        : this.#repo.following(address, before, limit),
    );
  }

  /** Who reposted or favorited a track the viewer may see, newest first. */
  async trackActors(
    kind: 'repost' | 'favorite',
    trackId: string,
    viewer: Viewer,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<UserSummary & { at: number; followedByViewer: boolean }>> {
    const track = await this.#tracks.get(trackId, viewer);
    return this.#accountPage(`${kind}ers:${track.id}`, query, viewer.address, (before, limit) =>
      this.#repo.trackActors(ACTIONS[kind], track.id, before, limit),
    );
  }

  /** What an account reposted or favorited: listed tracks (and the viewer's own), newest first. */
  async accountTracks(
    kind: 'repost' | 'favorite',
    handleOrAddress: string,
    viewer: string | undefined,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SocialTrack & { at: number }>> {
    return this.#accountTracks(kind, await this.#profiles.resolve(handleOrAddress), viewer, query);
  }

  async #accountTracks(
    kind: 'repost' | 'favorite',
    address: string,
    viewer: string | undefined,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SocialTrack & { at: number }>> {
    const scope = `${ACTIONS[kind]}:${address}`;
    const before = this.#before(scope, query.cursor);
    const rows = await this.#repo.accountTracks(ACTIONS[kind], address, viewer, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const records = new Map(
      (await this.#tracks.records(page.map((row) => row.trackId))).map((t) => [t.id, t]),
    );
    const social = await this.#repo.trackSocial([...records.keys()], viewer);
    const last = page.at(-1);
    return {
      items: page.flatMap((row) => {
        const track = records.get(row.trackId);
        return track ? [{ track, social: social.get(track.id)!, at: row.at }] : [];
      }),
      nextCursor:
        rows.length > query.limit && last ? this.#cursors.encode(scope, [last.at, last.trackId]) : null,
    };
  }

  /** Tracks and reposts of the accounts the viewer follows, newest first; only listed tracks. */
  async feed(viewer: string, query: { cursor?: string | undefined; limit: number }): Promise<Page<FeedItem>> {
    const scope = `feed:${viewer}`;
    const before: FeedPosition | undefined = query.cursor
      ? (([at, rank, trackId, account]) => ({
          at: at as number,
          rank: rank === 1 ? (1 as const) : (0 as const),
          trackId: trackId as string,
          account: account as string,
        }))(this.#cursors.decode(scope, query.cursor, ['integer', 'integer', 'string', 'string']))
      : undefined;
    const rows = await this.#repo.feed(viewer, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const [records, social, actors] = await Promise.all([
      this.#tracks.records(page.map((row) => row.trackId)),
      this.#repo.trackSocial(
        page.map((row) => row.trackId),
        viewer,
      ),
      this.#profiles.summaries(page.map((row) => row.actor)),
    ]);
    const byId = new Map(records.map((track) => [track.id, track]));
    const last = page.at(-1);
    return {
      items: page.flatMap((row) => {
        const track = byId.get(row.trackId);
        return track
          ? [
              {
                type: row.kind,
                at: row.at,
                actor: actors.get(row.actor)!,
                item: { track, social: social.get(track.id)! },
              },
            ]
          : [];
      }),
      nextCursor:
        rows.length > query.limit && last
          ? this.#cursors.encode(scope, [last.at, last.rank, last.trackId, last.account])
          : null,
    };
  }

  async #withSocial(tracks: TrackRecord[], viewer: string | undefined): Promise<SocialTrack[]> {
    const social = await this.#repo.trackSocial(
      tracks.map((track) => track.id),
      viewer,
    );
    return tracks.map((track) => ({ track, social: social.get(track.id)! }));
  }

  async #socialOf(trackId: string, viewer: string): Promise<TrackSocial> {
    return (await this.#repo.trackSocial([trackId], viewer)).get(trackId)!;
  }

  async #accountPage(
    scope: string,
    query: { cursor?: string | undefined; limit: number },
    viewer: string | undefined,
    load: (before: { at: number; keys: string[] } | undefined, limit: number) => Promise<AccountAt[]>,
  ): Promise<Page<UserSummary & { at: number; followedByViewer: boolean }>> {
    const rows = await load(this.#before(scope, query.cursor), query.limit + 1);
    const page = rows.slice(0, query.limit);
    const addresses = page.map((row) => row.address);
    const [summaries, followed] = await Promise.all([
      this.#profiles.summaries(addresses),
      viewer ? this.#repo.followedAmong(viewer, addresses) : new Set<string>(),
    ]);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        ...summaries.get(row.address)!,
        at: row.at,
        followedByViewer: followed.has(row.address),
      })),
      nextCursor:
        rows.length > query.limit && last ? this.#cursors.encode(scope, [last.at, last.address]) : null,
    };
  }

  #before(scope: string, cursor: string | undefined): { at: number; keys: string[] } | undefined {
    if (!cursor) return undefined;
    const [at, key] = this.#cursors.decode(scope, cursor, ['integer', 'string']);
    return { at: at as number, keys: [key as string] };
  }
}
