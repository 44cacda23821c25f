import type { PlaylistSummary, Track } from '@fairstream/sdk';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { Link } from '../router.tsx';

/**
 * "Add to playlist": the signed-in account's playlists (and, for their own tracks, albums), each a
 * button, and a form to make a new one with this track in it.
 */
export function AddToPlaylist({ track, viewer }: { track: Track; viewer: string }) {
  const [open, setOpen] = useState(false);
  const [playlists, setPlaylists] = useState<PlaylistSummary[]>();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<{ id: string; title: string }>();
  const panelId = useId();
  const titleId = useId();
  const toggleButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setError(undefined);
    api
      .GET('/api/v1/playlists', { params: { query: { owner: viewer, limit: 100 } } })
      .then(unwrap)
      .then(
        (page) => live && setPlaylists(page.playlists),
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, [open, viewer]);

  const add = async (playlist: { id: string; title: string }) => {
    await api
      .POST('/api/v1/playlists/{id}/tracks', {
        params: { path: { id: playlist.id } },
        body: { trackId: track.id },
      })
      .then(unwrap);
    setDone(playlist);
  };

  const addTo = async (playlist: { id: string; title: string }) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await add(playlist);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const playlist = await api.POST('/api/v1/playlists', { body: { title } }).then(unwrap);
      await add(playlist);
      setPlaylists((list) => [playlist, ...(list ?? [])]);
      setTitle('');
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  const mine = track.owner === viewer;
  const choices = playlists?.filter((playlist) => playlist.kind === 'playlist' || mine) ?? [];

  return (
    <div className="add-to-playlist">
      <button
        ref={toggleButton}
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        Add to playlist
      </button>
      {open && (
        <section
          id={panelId}
          className="popover card"
          aria-label="Add to playlist"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setOpen(false);
              toggleButton.current?.focus();
            }
          }}
        >
          {!playlists && !error && <p className="muted">Loading your playlists…</p>}
          {playlists && choices.length === 0 && <p className="muted">You have no playlists yet.</p>}
          {choices.length > 0 && (
            <ul className="plain-list">
              {choices.map((playlist) => (
                <li key={playlist.id}>
                  <button
                    type="button"
                    className="link-button"
                    disabled={busy}
                    onClick={() => void addTo(playlist)}
                  >
                    Add to “{playlist.title}”{playlist.kind === 'album' ? ' (album)' : ''}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form onSubmit={(event) => void create(event)} className="new-playlist">
            <label htmlFor={titleId}>New playlist</label>
            <div className="copy-row">
              <input
                id={titleId}
                value={title}
                onChange={(event) => setTitle(event.target.value)}
                placeholder="Title"
                autoComplete="off"
              />
              <button type="submit" disabled={busy}>
                Create and add
              </button>
            </div>
          </form>
          <p role="status" aria-live="polite" className="small">
            {done && (
              <>
                Added to <Link href={`/playlists/${done.id}`}>“{done.title}”</Link>.
              </>
            )}
          </p>
          {error && <p role="alert">{error}</p>}
        </section>
      )}
    </div>
  );
}
