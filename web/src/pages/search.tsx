import type { Track } from '@fairstream/sdk';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { api, unwrap } from '../api.ts';
import { GenreLinks } from '../components/genre-links.tsx';
import { LoadMore } from '../components/load-more.tsx';
import { TrackList } from '../components/track-list.tsx';
import { useDebounced } from '../components/use-debounced.ts';
import { usePaged } from '../components/use-paged.ts';
import { Avatar, type UserSummary, userHref, userLabel } from '../components/user-link.tsx';
import { Link } from '../router.tsx';
import '../components/listening.css';

/** Waits this long after the last key before asking the node: a request per pause, not per key. */
const DEBOUNCE_MS = 200;
const HANDLE_PREFIX = /^@?[a-z0-9_.]{1,30}$/i;

/**
 * Search as you type: the header's search box sets ?q= on every key; tracks (typo tolerant) and
 * accounts by handle, each with "Load more". ↓ from the search box enters the results, ↑/↓ move
 * through them, Escape goes back to the box.
 */
export default function SearchPage({ query }: { query: string }) {
  const q = useDebounced(query.trim(), DEBOUNCE_MS);
  const typing = q !== query.trim();
  const tracks = usePaged<Track & { promoted: boolean }>(
    `tracks:${q}`,
    q
      ? (cursor) =>
          api
            .GET('/api/v1/search', { params: { query: { q, type: 'tracks', limit: 20, cursor } } })
            .then(unwrap)
            .then((page) => ({ items: page.tracks, nextCursor: page.nextCursor }))
      : undefined,
  );
  const users = usePaged<UserSummary>(
    `users:${q}`,
    HANDLE_PREFIX.test(q)
      ? (cursor) =>
          api
            .GET('/api/v1/search', { params: { query: { q, type: 'users', limit: 8, cursor } } })
            .then(unwrap)
            .then((page) => ({ items: page.users, nextCursor: page.nextCursor }))
      : undefined,
  );
  const results = useRef<HTMLDivElement>(null);

  // The search box lives in the header (app.tsx); ↓ there enters the results.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== 'ArrowDown' || target?.id !== 'search-input') return;
      const first = results.current?.querySelector<HTMLElement>('[data-result]');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const moveFocus = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowDown', 'ArrowUp', 'Escape', 'Home', 'End'].includes(event.key)) return;
    const items = [...(results.current?.querySelectorAll<HTMLElement>('[data-result]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      document.getElementById('search-input')?.focus();
      event.preventDefault();
      return;
    }
    if (at < 0 || items.length === 0) return;
    const next =
      event.key === 'ArrowDown'
        ? Math.min(items.length - 1, at + 1)
        : event.key === 'ArrowUp'
          ? at - 1
          : event.key === 'Home'
            ? 0
            : items.length - 1;
    event.preventDefault();
    if (next < 0) document.getElementById('search-input')?.focus();
    else items[next]!.focus();
  };

  const busy = typing || tracks.loading || users.loading;
  const status = !q
    ? ''
    : busy
      ? 'Searching…'
      : tracks.error
        ? ''
        : `${count(tracks.items.length, tracks.hasMore, 'track')} and ${count(users.items.length, users.hasMore, 'account')} for “${q}”`;

  if (!query.trim()) {
    return (
      <div className="stack">
        <section className="message">
          <h1>Search</h1>
          <p className="muted">
            Type in the search box above to find tracks by title, artist, tag or genre, and artists by handle.
          </p>
        </section>
        <section aria-labelledby="browse-genres">
          <h2 id="browse-genres">Browse genres</h2>
          <GenreLinks />
        </section>
      </div>
    );
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move focus between the links inside; each result is itself a link.
    <div className="stack search-page" ref={results} onKeyDown={moveFocus}>
      <div>
        <h1>
          Results for “<span className="search-query">{query.trim()}</span>”
        </h1>
        <p className="muted" role="status" aria-live="polite">
          {status}
        </p>
      </div>
      {(users.items.length > 0 || users.error) && (
        <section aria-labelledby="accounts-heading">
          <h2 id="accounts-heading">Accounts</h2>
          <ul className="user-grid" aria-label="Accounts">
            {users.items.map((user) => (
              <li key={user.address}>
                <Link href={userHref(user)} className="user-card" data-result="">
                  <Avatar user={user} size={48} />
                  <span className="user-card-text">
                    <span className="user-card-name">{userLabel(user)}</span>
                    {user.handle && user.displayName && <span className="muted">@{user.handle}</span>}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <LoadMore paged={users} what="accounts" />
        </section>
      )}
      <section aria-labelledby="tracks-heading" aria-busy={busy}>
        <h2 id="tracks-heading">Tracks</h2>
        {tracks.loading && tracks.items.length === 0 ? (
          <p className="muted">Searching…</p>
        ) : tracks.error ? null : (
          <TrackList
            tracks={tracks.items}
            label="Tracks found"
            empty={typing ? 'Searching…' : `No tracks match “${q}”. Try fewer or other words.`}
          />
        )}
        <LoadMore paged={tracks} what="tracks" />
      </section>
    </div>
  );
}

function count(shown: number, more: boolean, noun: string): string {
  return `${shown}${more ? '+' : ''} ${noun}${shown === 1 && !more ? '' : 's'}`;
}
