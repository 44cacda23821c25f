import { randomBytes } from 'node:crypto';
import { AppError, badRequest, conflict, forbidden, notFound, tooManyRequests } from '../errors.ts';
import type {
  CommentOrder,
  CommentRow,
  CommentsRepository,
  CommentWithReplies,
  RateLimit,
} from '../repositories/comments.repository.ts';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import type { CursorCodec } from './cursor.ts';
import { characters, isStorableText } from './text.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

export const MAX_COMMENT_CHARS = 2000;

/** Per account, counted in the database so every process shares them and a restart forgets nothing. */
export const DEFAULT_COMMENT_LIMITS: readonly RateLimit[] = [
  { windowMs: 60_000, max: 10 },
  { windowMs: 24 * 60 * 60_000, max: 100 },
];

/** What happened, for whoever reacts to new comments (notifications). */
export interface CommentEvent {
  kind: 'comment' | 'reply';
  commentId: string;
  trackId: string;
  trackOwner: string;
  author: string;
  atMs: number | null;
  /** For a reply: the top-level comment it is filed under. */
  threadId: string | null;
  /** For a reply: the comment it answers (the thread's comment or another reply) and its author. */
  replyTo: { commentId: string; author: string } | null;
  createdAt: number;
}

export interface CommentsServiceOptions {
  /** Signs comment and reply page cursors. */
  cursors: CursorCodec;
  /** Node operators may delete any comment (moderation). */
  isOperator: (address: string | undefined) => boolean;
  limits?: readonly RateLimit[];
  /** Called after a comment or reply is committed; a failure is logged, never undoes the comment. */
  onCommented?: ((event: CommentEvent) => void | Promise<void>) | undefined;
  logger?: { warn(details: object, message: string): void };
  now?: () => number;
}

export interface NewComment {
  text: string;
  atMs?: number | undefined;
  parentId?: string | undefined;
}

export class CommentsService {
  readonly #comments: CommentsRepository;
  readonly #tracks: TracksService;
  readonly #options: CommentsServiceOptions;
  readonly #now: () => number;

  constructor(comments: CommentsRepository, tracks: TracksService, options: CommentsServiceOptions) {
    this.#comments = comments;
    this.#tracks = tracks;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A track's comments: newest first, or those pinned to a moment in track order. */
  async list(
    trackId: string,
    query: { order: CommentOrder; cursor?: string | undefined; limit: number },
    viewer: Viewer,
  ) {
    const track = await this.#tracks.get(trackId, viewer);
    const scope = `comments:${trackId}:${query.order}`;
    const after = query.cursor ? this.#decode(scope, query.cursor) : undefined;
    const rows = await this.#comments.listTopLevel({
      trackId,
      order: query.order,
      after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      comments: page.map(toCommentView),
      commentsEnabled: track.comments_disabled_at === null,
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [
              query.order === 'time' ? last.created_at : (last.at_ms ?? 0),
              last.id,
            ])
          : null,
    };
  }

  /** One comment; a deleted one only while replies remain under it (as a placeholder). */
  async get(id: string, viewer: Viewer) {
    const { comment } = await this.#visible(id, viewer);
    if (comment.deleted_at !== null && comment.reply_count === 0) throw notFound(`Comment ${id}`);
    return toCommentView(comment);
  }

  /** The replies filed under a top-level comment, oldest first. */
  async replies(id: string, query: { cursor?: string | undefined; limit: number }, viewer: Viewer) {
    const { comment } = await this.#visible(id, viewer);
    if (comment.parent_id !== null) {
      throw badRequest(
        'not_a_thread',
        `Comment ${id} is a reply; replies are listed under the comment it belongs to, ${comment.parent_id}`,
      );
    }
    const scope = `replies:${id}`;
    const after = query.cursor ? this.#decode(scope, query.cursor) : undefined;
    const rows = await this.#comments.listReplies(id, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      replies: page.map((row) => toCommentView({ ...row, reply_count: 0 })),
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [last.created_at, last.id])
          : null,
    };
  }

  /**
   * Comments on a track the author may see. A reply to a reply is filed under the same top-level
   * comment (one level of replies). Refused when comments are off, the track is delisted, or the
   * author is over a rate limit (429 with when to try again).
   */
  async create(trackId: string, viewer: Viewer & { address: string }, input: NewComment) {
    const track = await this.#tracks.get(trackId, viewer);
    const text = checkText(input.text);
    requireOpen(track);
    let threadId: string | null = null;
    let replyTo: CommentEvent['replyTo'] = null;
    if (input.parentId !== undefined) {
      if (input.atMs !== undefined) {
        throw badRequest(
          'invalid_at_ms',
          'A reply takes the moment of the comment it answers; leave atMs out (or leave parentId out to comment at a moment)',
        );
      }
      const parent = await this.#comments.findById(input.parentId);
      if (!parent || parent.track_id !== trackId) {
        throw notFound(`Comment ${input.parentId} on track ${trackId}`);
      }
      if (parent.deleted_at !== null) {
        throw conflict('comment_deleted', `Comment ${input.parentId} was deleted; it takes no replies`);
      }
      threadId = parent.parent_id ?? parent.id;
      replyTo = { commentId: parent.id, author: parent.author };
    }
    const atMs = input.atMs ?? null;
    if (atMs !== null && (!Number.isSafeInteger(atMs) || atMs < 0 || atMs > track.duration_ms)) {
      throw badRequest(
        'invalid_at_ms',
        `atMs must be a moment of the track in whole milliseconds, from 0 to ${track.duration_ms}`,
      );
    }
    const now = this.#now();
    const comment: CommentRow = {
      id: randomBytes(9).toString('base64url'),
      track_id: trackId,
      author: viewer.address,
      parent_id: threadId,
      body: text,
      at_ms: atMs,
      created_at: now,
      edited_at: null,
      deleted_at: null,
    };
    const limits = this.#options.limits ?? DEFAULT_COMMENT_LIMITS;
    const retryAt = await this.#comments.insertWithinLimits(comment, limits);
    if (retryAt !== undefined) {
      throw tooManyRequests(
        'rate_limited',
        `You can post ${limits.map((limit) => `${limit.max} comments per ${describeWindow(limit.windowMs)}`).join(' and ')}; ` +
          `try again in ${Math.max(1, Math.ceil((retryAt - now) / 1000))} s`,
        retryAt - now,
      );
    }
    await this.#notify({
      kind: threadId ? 'reply' : 'comment',
      commentId: comment.id,
      trackId,
      trackOwner: track.owner,
      author: viewer.address,
      atMs,
      threadId,
      replyTo,
      createdAt: now,
    });
    return toCommentView({ ...comment, reply_count: 0 });
  }

  /** Only the author edits, while comments on the track are on. */
  async edit(id: string, viewer: Viewer, text: string) {
    const { comment, track } = await this.#visible(id, viewer);
    const checked = checkText(text);
    if (comment.author !== viewer.address) throw forbidden(`Only the author of comment ${id} may edit it`);
    if (comment.deleted_at !== null) throw conflict('comment_deleted', `Comment ${id} was deleted`);
    requireOpen(track);
    await this.#comments.updateBody(id, checked, this.#now());
    return this.get(id, viewer);
  }

  /**
   * The author, the track's owner or an operator deletes a comment; its open reports close with it.
   * A deleted comment with replies stays as a placeholder. Deleting twice is not an error.
   */
  async delete(id: string, viewer: Viewer): Promise<void> {
    const by = viewer.address;
    if (by && this.#options.isOperator(by)) {
      // Operators act on what was reported to them, even on a track they could not otherwise see.
      if (!(await this.#comments.findById(id))) throw notFound(`Comment ${id}`);
    } else {
      const { comment, track } = await this.#visible(id, viewer);
      if (!by || (by !== comment.author && by !== track.owner)) {
        throw forbidden(`Only the author of comment ${id}, the track's owner or an operator may delete it`);
      }
    }
    await this.#comments.softDelete(id, this.#now(), by, 'comment_removed');
  }

  /**
   * The comment and its track, if the viewer may see the track: otherwise the comment does not exist
   * for them (404 naming only the comment, so not even the track id leaks).
   */
  async #visible(id: string, viewer: Viewer): Promise<{ comment: CommentWithReplies; track: TrackRecord }> {
    const comment = await this.#comments.findById(id);
    if (!comment) throw notFound(`Comment ${id}`);
    try {
      return { comment, track: await this.#tracks.get(comment.track_id, viewer) };
    } catch (error) {
      if (error instanceof AppError && (error.status === 404 || error.status === 410))
        throw notFound(`Comment ${id}`);
      throw error;
    }
  }

  #decode(scope: string, cursor: string): [number, string] {
    const [position, id] = this.#options.cursors.decode(scope, cursor, ['integer', 'string']);
    return [position as number, id as string];
  }

  async #notify(event: CommentEvent): Promise<void> {
    try {
      await this.#options.onCommented?.(event);
    } catch (error) {
      this.#options.logger?.warn({ err: error, commentId: event.commentId }, 'comment notification failed');
    }
  }
}

/** Comments are plain text kept exactly as written; only what cannot be stored faithfully is refused. */
function checkText(text: string): string {
  if (text.trim() === '') {
    throw badRequest('empty_comment', 'text must have something besides spaces (1 to 2,000 characters)');
  }
  const length = characters(text);
  if (length > MAX_COMMENT_CHARS) {
    throw badRequest(
      'comment_too_long',
      `text is ${length} characters; a comment holds at most ${MAX_COMMENT_CHARS.toLocaleString('en')}`,
    );
  }
  if (!isStorableText(text)) {
    throw badRequest(
      'invalid_text',
      'text must be valid Unicode without NUL characters or unpaired surrogates',
    );
  }
  return text;
}

function requireOpen(track: TrackRecord): void {
  if (track.delisted_at !== null) {
    throw forbidden(
      `Track ${track.id} was delisted by this node's operator; it takes no comments`,
      'track_delisted',
    );
  }
  if (track.comments_disabled_at !== null) {
    throw forbidden(`The owner of track ${track.id} has turned comments off`, 'comments_off');
  }
}

function describeWindow(ms: number): string {
  if (ms === 60_000) return 'minute';
  if (ms === 3_600_000) return 'hour';
  if (ms === 86_400_000) return 'day';
  return `${Math.round(ms / 1000)} s`;
}

/** The public shape of a comment; a deleted one keeps only its place (and its thread's replies). */
export function toCommentView(comment: CommentWithReplies) {
  const deleted = comment.deleted_at !== null;
  return {
    id: comment.id,
    trackId: comment.track_id,
    parentId: comment.parent_id,
    author: deleted ? null : comment.author,
    text: deleted ? null : comment.body,
    atMs: comment.at_ms,
    deleted,
    replyCount: comment.reply_count,
    createdAt: comment.created_at,
    editedAt: deleted ? null : comment.edited_at,
  };
}

export type CommentView = ReturnType<typeof toCommentView>;
