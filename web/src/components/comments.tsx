import type { Comment, Track } from '@fairstream/sdk';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { formatDuration, timeAgo } from '../lib/format.ts';
import { LoadMore } from './load-more.tsx';
import { usePaged } from './use-paged.ts';
import { UserLink } from './user-link.tsx';

/** The node's limit (it counts characters, not UTF-16 units); the node's own message says it on submit. */
export const COMMENT_MAX_CHARS = 2000;

export interface CommentsProps {
  track: Track;
  share: string | undefined;
  /** The signed-in account. */
  viewer: string | undefined;
  /** Where playback is in this track, when it is the one in the player. */
  moment: number | undefined;
  onSeek(ms: number): void;
  /** A comment was added or removed: the markers on the waveform may change. */
  onChanged(): void;
  /** The owner turned comments on or off. */
  onTrack(track: Track): void;
}

interface Context {
  track: Track;
  share: string | undefined;
  viewer: string | undefined;
  enabled: boolean;
  onSeek(ms: number): void;
  onChanged(): void;
  announce(message: string): void;
}

/** Comments on a track, newest first, with one level of replies; timestamps seek the player. */
export function Comments({ track, share, viewer, moment, onSeek, onChanged, onTrack }: CommentsProps) {
  const [enabled, setEnabled] = useState(track.commentsEnabled);
  const [status, setStatus] = useState('');
  const [settingError, setSettingError] = useState<string>();
  const [switching, setSwitching] = useState(false);
  const isOwner = viewer !== undefined && viewer === track.owner;
  useEffect(() => setEnabled(track.commentsEnabled), [track.commentsEnabled]);

  const list = usePaged<Comment>(`comments:${track.id}:${viewer ?? ''}:${share ?? ''}`, (cursor) =>
    api
      .GET('/api/v1/tracks/{id}/comments', {
        params: { path: { id: track.id }, query: { order: 'time', limit: 20, cursor, share } },
      })
      .then(unwrap)
      .then((page) => {
        setEnabled(page.commentsEnabled);
        return { items: page.comments, nextCursor: page.nextCursor };
      }),
  );

  const context: Context = { track, share, viewer, enabled, onSeek, onChanged, announce: setStatus };

  const toggle = async () => {
    setSwitching(true);
    setSettingError(undefined);
    try {
      const updated = await api
        .PUT('/api/v1/tracks/{id}/comment-settings', {
          params: { path: { id: track.id } },
          body: { enabled: !enabled },
        })
        .then(unwrap);
      setEnabled(updated.commentsEnabled);
      onTrack(updated);
      setStatus(updated.commentsEnabled ? 'Comments are on.' : 'Comments are off.');
    } catch (cause) {
      setSettingError(errorMessage(cause));
    } finally {
      setSwitching(false);
    }
  };

  const post = async (text: string, atMs: number | undefined) => {
    const comment = await api
      .POST('/api/v1/tracks/{id}/comments', {
        params: { path: { id: track.id }, query: { share } },
        body: { text, ...(atMs !== undefined && { atMs }) },
      })
      .then(unwrap);
    list.setItems((items) => [comment, ...items]);
    setStatus(atMs === undefined ? 'Comment posted.' : `Comment posted at ${formatDuration(atMs)}.`);
    if (atMs !== undefined) onChanged();
  };

  return (
    <section aria-labelledby="comments-heading" className="comments">
      <div className="section-head">
        <h2 id="comments-heading">Comments</h2>
        {isOwner && (
          <button type="button" className="secondary" onClick={() => void toggle()} disabled={switching}>
            {enabled ? 'Turn comments off' : 'Turn comments on'}
          </button>
        )}
      </div>
      {settingError && <p role="alert">{settingError}</p>}
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      {!enabled ? (
        <p className="muted">
          {isOwner
            ? 'You turned comments off: the comments below stay, and no new ones can be posted.'
            : 'The artist turned comments off for this track.'}
        </p>
      ) : viewer ? (
        <Composer
          label="Add a comment"
          submitLabel="Post comment"
          moment={moment}
          onSubmit={post}
          idPrefix="new-comment"
        />
      ) : (
        <p className="muted">Sign in to comment on this track.</p>
      )}
      {list.loading ? (
        <p className="muted">Loading comments…</p>
      ) : list.items.length === 0 && !list.error ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol className="comment-list" aria-label="Comments">
          {list.items.map((comment) => (
            <CommentItem
              key={comment.id}
              comment={comment}
              context={context}
              onReplace={(next) => list.setItems((items) => items.map((c) => (c.id === next.id ? next : c)))}
              onRemove={() => list.setItems((items) => items.filter((c) => c.id !== comment.id))}
            />
          ))}
        </ol>
      )}
      <LoadMore paged={list} what="comments" />
    </section>
  );
}

function CommentItem({
  comment,
  context,
  onReplace,
  onRemove,
}: {
  comment: Comment;
  context: Context;
  onReplace(comment: Comment): void;
  onRemove(): void;
}) {
  const { track, viewer, enabled } = context;
  const [editing, setEditing] = useState(false);
  const [replying, setReplying] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [showReplies, setShowReplies] = useState(false);
  const [error, setError] = useState<string>();
  const replyButton = useRef<HTMLButtonElement>(null);
  const isReply = comment.parentId !== null;
  const own = viewer !== undefined && comment.author === viewer;
  const canDelete = !comment.deleted && viewer !== undefined && (own || viewer === track.owner);
  const replies = usePaged<Comment>(
    `replies:${comment.id}:${showReplies}`,
    showReplies && !isReply
      ? (cursor) =>
          api
            .GET('/api/v1/comments/{id}/replies', {
              params: { path: { id: comment.id }, query: { limit: 20, cursor, share: context.share } },
            })
            .then(unwrap)
            .then((page) => ({ items: page.replies, nextCursor: page.nextCursor }))
      : undefined,
  );

  const remove = async () => {
    setError(undefined);
    try {
      await api.DELETE('/api/v1/comments/{id}', { params: { path: { id: comment.id } } }).then(unwrap);
      context.announce('Comment deleted.');
      if (comment.replyCount > 0) onReplace({ ...comment, deleted: true, text: null });
      else onRemove();
      if (comment.atMs !== null) context.onChanged();
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setConfirming(false);
    }
  };

  const edit = async (text: string) => {
    const updated = await api
      .PATCH('/api/v1/comments/{id}', { params: { path: { id: comment.id } }, body: { text } })
      .then(unwrap);
    onReplace(updated);
    setEditing(false);
    context.announce('Comment saved.');
  };

  const reply = async (text: string) => {
    const posted = await api
      .POST('/api/v1/tracks/{id}/comments', {
        params: { path: { id: track.id }, query: { share: context.share } },
        body: { text, parentId: comment.id },
      })
      .then(unwrap);
    onReplace({ ...comment, replyCount: comment.replyCount + 1 });
    if (showReplies) replies.setItems((items) => [...items, posted]);
    else setShowReplies(true);
    setReplying(false);
    context.announce('Reply posted.');
  };

  return (
    <li id={`comment-${comment.id}`} className={isReply ? 'comment reply' : 'comment'}>
      <div className="comment-head">
        {comment.author ? <UserLink address={comment.author} /> : <span className="muted">Someone</span>}
        {comment.atMs !== null && (
          <button
            type="button"
            className="link-button timestamp"
            aria-label={`Play from ${formatDuration(comment.atMs)}`}
            onClick={() => context.onSeek(comment.atMs!)}
          >
            {formatDuration(comment.atMs)}
          </button>
        )}
        <time className="muted" dateTime={new Date(comment.createdAt).toISOString()}>
          {timeAgo(comment.createdAt)}
        </time>
        {comment.editedAt !== null && !comment.deleted && <span className="muted">(edited)</span>}
      </div>
      {editing ? (
        <Composer
          label="Edit your comment"
          submitLabel="Save"
          initial={comment.text ?? ''}
          onSubmit={edit}
          onCancel={() => setEditing(false)}
          idPrefix={`edit-${comment.id}`}
          autoFocus
        />
      ) : comment.deleted ? (
        <p className="comment-text muted">This comment was deleted.</p>
      ) : (
        <p className="comment-text">{comment.text}</p>
      )}
      {!editing && viewer && !comment.deleted && (
        <div className="comment-actions">
          {!isReply && enabled && (
            <button
              ref={replyButton}
              type="button"
              className="link-button"
              aria-expanded={replying}
              onClick={() => setReplying((open) => !open)}
            >
              Reply
            </button>
          )}
          {own && enabled && (
            <button type="button" className="link-button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {canDelete && (
            <button type="button" className="link-button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
      )}
      {confirming && (
        // biome-ignore lint/a11y/useSemanticElements: a group of two buttons, not a form field set.
        <div className="confirm" role="group" aria-label="Confirm deleting the comment">
          <span>Delete this comment?</span>
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      {replying && (
        <Composer
          label="Your reply"
          submitLabel="Post reply"
          onSubmit={reply}
          onCancel={() => {
            setReplying(false);
            replyButton.current?.focus();
          }}
          idPrefix={`reply-${comment.id}`}
          autoFocus
        />
      )}
      {!isReply && comment.replyCount > 0 && !showReplies && (
        <button type="button" className="link-button" onClick={() => setShowReplies(true)}>
          Show {comment.replyCount} {comment.replyCount === 1 ? 'reply' : 'replies'}
        </button>
      )}
      {showReplies && (
        <>
          {replies.loading && <p className="muted">Loading replies…</p>}
          {replies.items.length > 0 && (
            <ol
              className="comment-list replies"
              aria-label={`Replies to ${comment.text ? 'this comment' : 'a deleted comment'}`}
            >
              {replies.items.map((item) => (
                <CommentItem
                  key={item.id}
                  comment={item}
                  context={context}
                  onReplace={(next) =>
                    replies.setItems((items) => items.map((c) => (c.id === next.id ? next : c)))
                  }
                  onRemove={() => {
                    replies.setItems((items) => items.filter((c) => c.id !== item.id));
                    onReplace({ ...comment, replyCount: Math.max(0, comment.replyCount - 1) });
                  }}
                />
              ))}
            </ol>
          )}
          <LoadMore paged={replies} what="replies" />
        </>
      )}
    </li>
  );
}

/** Counts as the node does: characters (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * A comment, reply or edit box. It sends whatever was typed, so the node's own message says what
 * to fix (empty, too long); a counter shows the length as it grows.
 */
function Composer({
  label,
  submitLabel,
  initial = '',
  moment,
  onSubmit,
  onCancel,
  idPrefix,
  autoFocus,
}: {
  label: string;
  submitLabel: string;
  initial?: string;
  /** For a new comment: the current moment, offered as the comment's moment. */
  moment?: number | undefined;
  onSubmit(text: string, atMs: number | undefined): Promise<void>;
  onCancel?(): void;
  idPrefix: string;
  autoFocus?: boolean;
}) {
  const id = `${idPrefix}-${useId()}`;
  const [text, setText] = useState(initial);
  const [atMoment, setAtMoment] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (autoFocus) area.current?.focus();
  }, [autoFocus]);
  const length = characterCount(text);
  const offersMoment = moment !== undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(text, offersMoment && atMoment ? Math.round(moment) : undefined);
      setText('');
    } catch (cause) {
      setError(errorMessage(cause));
      area.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="composer" onSubmit={(event) => void submit(event)} noValidate>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        ref={area}
        rows={3}
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-count${error ? ` ${id}-error` : ''}`}
      />
      <div className="composer-row">
        {moment !== undefined && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={atMoment}
              onChange={(event) => setAtMoment(event.target.checked)}
            />
            At {formatDuration(moment)}
          </label>
        )}
        <span id={`${id}-count`} className={length > COMMENT_MAX_CHARS ? 'error-text count' : 'muted count'}>
          {length.toLocaleString('en')} / {COMMENT_MAX_CHARS.toLocaleString('en')}
        </span>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : submitLabel}
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
