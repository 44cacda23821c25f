import type { Playlist, Track } from '@fairstream/sdk';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { TrackList } from '../components/track-list.tsx';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { UserLink } from '../components/user-link.tsx';
import { formatDuration } from '../lib/format.ts';
import { usePlayer } from '../player/player.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import '../components/listening.css';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; playlist: Playlist }
  | { kind: 'missing' }
  | { kind: 'error'; message: string };

/**
 * A playlist or album: play all; its owner renames it, makes it public or hidden, reorders tracks
 * (move up/down buttons, so the keyboard can), removes tracks, or deletes it.
 */
export default function PlaylistPage({ id }: { id: string }) {
  const { address: viewer } = useSession();
  const player = usePlayer();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** After a move, focus stays on the moved track's button that was pressed. */
  const refocus = useRef<string | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `viewer` reloads what the viewer may see.
  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/playlists/{id}', { params: { path: { id } } })
      .then(unwrap)
      .then(
        (playlist) => live && setLoaded({ kind: 'ready', playlist }),
        (cause: unknown) => {
          if (!live) return;
          if (cause instanceof FairstreamApiError && cause.status === 404) setLoaded({ kind: 'missing' });
          else setLoaded({ kind: 'error', message: errorMessage(cause) });
        },
      );
    return () => {
      live = false;
    };
  }, [id, viewer]);

  const playlist = loaded.kind === 'ready' ? loaded.playlist : undefined;
  useDocumentTitle(playlist?.title ?? (loaded.kind === 'missing' ? 'Not found' : undefined));

  // The buttons are disabled while a change is on its way, so focus returns once it has landed.
  useEffect(() => {
    if (!refocus.current || busy) return;
    document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(refocus.current)}"]`)?.focus();
    refocus.current = undefined;
  });

  if (loaded.kind === 'loading') return <p className="muted">Loading…</p>;
  if (loaded.kind === 'missing') {
    return (
      <section className="message">
        <h1>Playlist not found</h1>
        <p>
          There is no playlist at this address, or it is hidden. <Link href="/">Go home</Link>.
        </p>
      </section>
    );
  }
  if (loaded.kind === 'error') {
    return (
      <section className="message">
        <h1>Could not load this playlist</h1>
        <p role="alert">{loaded.message}</p>
      </section>
    );
  }

  const p = loaded.playlist;
  const isOwner = viewer !== undefined && viewer === p.owner;
  const tracks = p.items.map((item) => item.track);
  const playable = tracks.filter((track) => track.state === 'ready');
  const totalMs = tracks.reduce((sum, track) => sum + track.durationMs, 0);
  const noun = p.kind === 'album' ? 'album' : 'playlist';

  const run = async (action: () => Promise<Playlist | undefined>, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await action();
      if (next) setLoaded({ kind: 'ready', playlist: next });
      setStatus(done);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const move = (track: Track, index: number, by: -1 | 1, focusKey: string) => {
    const neighbour = p.items[index + by];
    if (!neighbour) return;
    refocus.current = focusKey;
    void run(
      () =>
        api
          .PATCH('/api/v1/playlists/{id}/tracks/{trackId}', {
            params: { path: { id: p.id, trackId: track.id } },
            body: { position: neighbour.position },
          })
          .then(unwrap),
      `Moved “${track.title}” to position ${index + by + 1}.`,
    );
  };

  const remove = (track: Track) =>
    run(async () => {
      await api
        .DELETE('/api/v1/playlists/{id}/tracks/{trackId}', {
          params: { path: { id: p.id, trackId: track.id } },
        })
        .then(unwrap);
      return api.GET('/api/v1/playlists/{id}', { params: { path: { id: p.id } } }).then(unwrap);
    }, `Removed “${track.title}”.`);

  const setVisibility = () =>
    run(
      () =>
        api
          .PATCH('/api/v1/playlists/{id}', {
            params: { path: { id: p.id } },
            body: { visibility: p.visibility === 'public' ? 'hidden' : 'public' },
          })
          .then(unwrap),
      p.visibility === 'public' ? `The ${noun} is hidden now.` : `The ${noun} is public now.`,
    );

  const deletePlaylist = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.DELETE('/api/v1/playlists/{id}', { params: { path: { id: p.id } } }).then(unwrap);
      navigate(`/u/${p.owner}?tab=playlists`);
    } catch (cause) {
      setError(errorMessage(cause));
      setBusy(false);
    }
  };

  return (
    <div className="stack playlist-page">
      <header>
        <p className="eyebrow">
          {p.kind === 'album' ? 'Album' : 'Playlist'}
          {p.visibility === 'hidden' && <span className="badge">Hidden</span>}
        </p>
        {renaming ? (
          <RenameForm
            title={p.title}
            onCancel={() => setRenaming(false)}
            onSave={async (title) => {
              const next = await api
                .PATCH('/api/v1/playlists/{id}', { params: { path: { id: p.id } }, body: { title } })
                .then(unwrap);
              setLoaded({ kind: 'ready', playlist: next });
              setRenaming(false);
              setStatus(`Renamed to “${next.title}”.`);
            }}
          />
        ) : (
          <h1>{p.title}</h1>
        )}
        <p className="muted">
          by <UserLink address={p.owner} /> · {p.items.length} {p.items.length === 1 ? 'track' : 'tracks'} ·{' '}
          {formatDuration(totalMs)}
        </p>
        {p.description && <p className="description">{p.description}</p>}
        <div className="row">
          <button
            type="button"
            className="play-large"
            disabled={playable.length === 0}
            onClick={() => player.play(playable[0]!, playable)}
          >
            ▶ Play all
          </button>
          {isOwner && !renaming && (
            <>
              <button type="button" className="secondary" onClick={() => setRenaming(true)}>
                Rename
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => void setVisibility()}
                disabled={busy}
              >
                {p.visibility === 'public' ? 'Make hidden' : 'Make public'}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => setConfirmDelete(true)}
                disabled={busy}
              >
                Delete {noun}
              </button>
            </>
          )}
        </div>
        {confirmDelete && (
          // biome-ignore lint/a11y/useSemanticElements: two buttons that confirm or cancel, not a form field set.
          <div className="confirm" role="group" aria-label={`Confirm deleting the ${noun}`}>
            <span>
              Delete “{p.title}”? Its tracks stay; only the {noun} goes.
            </span>
            <button type="button" className="danger" onClick={() => void deletePlaylist()} disabled={busy}>
              Delete
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
        )}
        <p className="visually-hidden" role="status" aria-live="polite">
          {status}
        </p>
        {error && <p role="alert">{error}</p>}
      </header>
      <TrackList
        tracks={tracks}
        label={`Tracks in ${p.title}`}
        empty={
          isOwner
            ? `This ${noun} is empty. Add tracks from a track's page with “Add to playlist”.`
            : `This ${noun} is empty.`
        }
        actions={
          isOwner
            ? (track, index) => (
                <span className="row-actions">
                  <button
                    type="button"
                    className="icon-button"
                    data-focus-key={`up:${track.id}`}
                    aria-label={`Move “${track.title}” up`}
                    disabled={busy || index === 0}
                    onClick={() =>
                      move(track, index, -1, index - 1 === 0 ? `down:${track.id}` : `up:${track.id}`)
                    }
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="icon-button"
                    data-focus-key={`down:${track.id}`}
                    aria-label={`Move “${track.title}” down`}
                    disabled={busy || index === tracks.length - 1}
                    onClick={() =>
                      move(
                        track,
                        index,
                        1,
                        index + 1 === tracks.length - 1 ? `up:${track.id}` : `down:${track.id}`,
                      )
                    }
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Remove “${track.title}” from the ${noun}`}
                    disabled={busy}
                    onClick={() => void remove(track)}
                  >
                    ✕
                  </button>
                </span>
              )
            : undefined
        }
      />
    </div>
  );
}

function RenameForm({
  title,
  onSave,
  onCancel,
}: {
  title: string;
  onSave(title: string): Promise<void>;
  onCancel(): void;
}) {
  const [value, setValue] = useState(title);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSave(value);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} className="rename-form">
      <label htmlFor="playlist-title">Title</label>
      <div className="copy-row">
        <input
          id="playlist-title"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          // biome-ignore lint/a11y/noAutofocus: the person just pressed Rename; the field is what they want.
          autoFocus
          autoComplete="off"
        />
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
