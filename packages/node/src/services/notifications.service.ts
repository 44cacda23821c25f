import { randomBytes } from 'node:crypto';
import { badRequest } from '../errors.ts';
import type { NotificationRow, NotificationsRepository } from '../repositories/notifications.repository.ts';
import type { ProfilesRepository } from '../repositories/profiles.repository.ts';
import type { CommentEvent } from './comments.service.ts';
import type { CursorCodec } from './cursor.ts';
import { userSummaries } from './profiles.service.ts';

/**
 * What an account is notified of. A new kind (a comment on your track, a reply to your comment) is
 * one more entry here and a `notify()` call where the event happens; the HTTP schema lists these.
 */
export const NOTIFICATION_KINDS = ['follow', 'repost', 'favorite', 'comment', 'reply', 'payout'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One event for one account. */
export interface NotificationInput {
  /** Lower-case address of the account to notify. */
  recipient: string;
  kind: NotificationKind;
  /** Lower-case address of whoever caused it; a notification of one's own action is dropped. */
  actor?: string | undefined;
  /** The track it is about; shown only while the recipient may see that track. */
  trackId?: string | undefined;
  /** Kind-specific details, stored as JSON and returned as they are (keep them small). */
  data?: Record<string, string | number> | undefined;
  /**
   * Names the event, unique per recipient: notifying the same key again stores nothing, so callers
   * may notify on every retry or redo. Include what makes the event distinct, e.g.
   * `comment:<commentId>`; leave out what may repeat harmlessly (a re-follow is `follow:<actor>`,
   * so follow/unfollow/follow notifies once).
   */
  key: string;
}

export interface NotificationsServiceOptions {
  cursors: CursorCodec;
  now?: () => number;
}

/**
 * Notifications: `notify()` is the one way in, idempotent per (recipient, key); features call it
 * after their own write has committed. Reading is per recipient, newest first, with an unread count.
 */
export class NotificationsService {
  readonly #repo: NotificationsRepository;
  readonly #cursors: CursorCodec;
  readonly #profiles: ProfilesRepository;
  readonly #now: () => number;

  constructor(
    repo: NotificationsRepository,
    profiles: ProfilesRepository,
    options: NotificationsServiceOptions,
  ) {
    this.#repo = repo;
    this.#profiles = profiles;
    this.#cursors = options.cursors;
    this.#now = options.now ?? Date.now;
  }

  /** Stores the events not stored yet; returns how many were new. */
  async notify(events: NotificationInput | readonly NotificationInput[]): Promise<number> {
    const now = this.#now();
    const rows: NotificationRow[] = (Array.isArray(events) ? events : [events as NotificationInput])
      .filter((event) => event.actor === undefined || event.actor !== event.recipient)
      .map((event) => ({
        id: randomBytes(12).toString('base64url'),
        recipient: event.recipient,
        kind: event.kind,
        actor: event.actor ?? null,
        track_id: event.trackId ?? null,
        data: event.data ? JSON.stringify(event.data) : null,
        dedupe_key: event.key,
        created_at: now,
        read_at: null,
      }));
    return rows.length === 0 ? 0 : this.#repo.insert(rows);
  }

  /**
   * Settlement's hook: an epoch's payouts have landed (claims pushed), one notification per
   * recipient and token. Keyed by (epoch, token), so redoing the claim step after a crash adds none.
   */
  async notifyPayouts(
    epoch: number,
    payouts: readonly { account: string; token: string; amount: bigint }[],
  ): Promise<number> {
    return this.notify(
      payouts
        .filter((payout) => payout.amount > 0n)
        .map((payout) => ({
          recipient: payout.account.toLowerCase(),
          kind: 'payout' as const,
          data: { epoch, token: payout.token.toLowerCase(), amount: payout.amount.toString() },
          key: `payout:${epoch}:${payout.token.toLowerCase()}`,
        })),
    );
  }

  async list(recipient: string, query: { cursor?: string | undefined; limit: number }) {
    const scope = `notifications:${recipient}`;
    const before = query.cursor
      ? (([at, id]) => ({ at: at as number, keys: [id as string] }))(
          this.#cursors.decode(scope, query.cursor, ['integer', 'string']),
        )
      : undefined;
    const rows = await this.#repo.list(recipient, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const [titles, actors, unreadCount] = await Promise.all([
      this.#repo.visibleTrackTitles(
        recipient,
        page.flatMap((row) => (row.track_id ? [row.track_id] : [])),
      ),
      userSummaries(
        this.#profiles,
        page.flatMap((row) => (row.actor ? [row.actor] : [])),
      ),
      this.#repo.unreadCount(recipient),
    ]);
    return {
      items: page.map((row) => ({
        id: row.id,
        kind: row.kind as NotificationKind,
        actor: row.actor ? actors.get(row.actor)! : null,
        track:
          row.track_id && titles.has(row.track_id)
            ? { id: row.track_id, title: titles.get(row.track_id)! }
            : null,
        data: row.data ? (JSON.parse(row.data) as Record<string, string | number>) : null,
        createdAt: row.created_at,
        readAt: row.read_at,
      })),
      unreadCount,
      nextCursor:
        rows.length > query.limit && last ? this.#cursors.encode(scope, [last.created_at, last.id]) : null,
    };
  }

  /** Marks all, or the given ids, read; ids that are not the recipient's change nothing. */
  async markRead(
    recipient: string,
    which: { all?: boolean | undefined; ids?: readonly string[] | undefined },
  ): Promise<{ marked: number; unreadCount: number }> {
    if ((which.all === true) === (which.ids !== undefined)) {
      throw badRequest(
        'invalid_request',
        'Send either { "all": true } or { "ids": ["…"] } with 1 to 100 notification ids',
      );
    }
    const marked = await this.#repo.markRead(recipient, which.all ? 'all' : which.ids!, this.#now());
    return { marked, unreadCount: await this.#repo.unreadCount(recipient) };
  }
}

/**
 * Who hears of a comment: the track's owner of a comment on their track, the author answered of a
 * reply (and the owner too, when someone else was answered). Keyed by the comment, so a retry
 * notifies once; one's own comments notify no one (notify drops them).
 */
export function commentNotifications(event: CommentEvent): NotificationInput[] {
  const data = {
    commentId: event.commentId,
    ...(event.atMs === null ? {} : { atMs: event.atMs }),
    ...(event.replyTo ? { replyTo: event.replyTo.commentId } : {}),
  };
  const base = { actor: event.author, trackId: event.trackId, data };
  const notices: NotificationInput[] = [];
  if (event.replyTo) {
    notices.push({
      ...base,
      recipient: event.replyTo.author,
      kind: 'reply',
      key: `reply:${event.commentId}`,
    });
  }
  if (!event.replyTo || event.replyTo.author !== event.trackOwner) {
    notices.push({
      ...base,
      recipient: event.trackOwner,
      kind: 'comment',
      key: `comment:${event.commentId}`,
    });
  }
  return notices;
}
