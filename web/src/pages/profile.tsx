import type { PlaylistSummary, paths, Track } from '@fairstream/sdk';
import { type FormEvent, useEffect, useState } from 'react';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { FollowButton } from '../components/follow-button.tsx';
import { LoadMore } from '../components/load-more.tsx';
import { type Tab, Tabs } from '../components/tabs.tsx';
import { TrackList } from '../components/track-list.tsx';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { type Page, usePaged } from '../components/use-paged.ts';
import { Avatar, rememberUser, userLabel } from '../components/user-link.tsx';
import { type ListedUser, UserList } from '../components/user-list.tsx';
import { shortAddress } from '../lib/format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import '../components/listening.css';

type ProfileData =
  paths['/api/v1/users/{handleOrAddress}']['get']['responses'][200]['content']['application/json'];

const TAB_KEYS = ['tracks', 'reposts', 'favorites', 'playlists', 'followers', 'following'] as const;
type TabKey = (typeof TAB_KEYS)[number];

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; profile: ProfileData }
  | { kind: 'missing' }
  | { kind: 'error'; message: string };

/** An account's page: who they are, whom they follow and who follows them, and what they posted. */
export default function ProfilePage({ handle }: { handle: string }) {
  const { address: viewer } = useSession();
  const location = useLocation();
  const tabParam = location.query.get('tab');
  const tab: TabKey = TAB_KEYS.includes(tabParam as TabKey) ? (tabParam as TabKey) : 'tracks';
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [followers, setFollowers] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `viewer` is here to reload what the viewer may see and whether they follow.
  useEffect(() => {
    let live = true;
    setLoaded((before) => (before.kind === 'ready' ? before : { kind: 'loading' }));
    api
      .GET('/api/v1/users/{handleOrAddress}', {
        params: { path: { handleOrAddress: handle }, query: { limit: 20 } },
      })
      .then(unwrap)
      .then(
        (profile) => {
          if (!live) return;
          rememberUser(profile);
          setLoaded({ kind: 'ready', profile });
          setFollowers(profile.followers);
        },
        (cause: unknown) => {
          if (!live) return;
          if (cause instanceof FairstreamApiError && cause.status === 404) setLoaded({ kind: 'missing' });
          else setLoaded({ kind: 'error', message: errorMessage(cause) });
        },
      );
    return () => {
      live = false;
    };
  }, [handle, viewer]);

  const profile = loaded.kind === 'ready' ? loaded.profile : undefined;
  useDocumentTitle(profile ? userLabel(profile) : loaded.kind === 'missing' ? 'Not found' : undefined);

  if (loaded.kind === 'loading') return <p className="muted">Loading…</p>;
  if (loaded.kind === 'missing') {
    return (
      <section className="message">
        <h1>Account not found</h1>
        <p>
          No one has the handle “{handle}”. Check the spelling, or <Link href="/search">search</Link> for
          them.
        </p>
      </section>
    );
  }
  if (loaded.kind === 'error') {
    return (
      <section className="message">
        <h1>Could not load this profile</h1>
        <p role="alert">{loaded.message}</p>
      </section>
    );
  }

  const p = loaded.profile;
  const self = viewer !== undefined && viewer === p.address;
  const name = userLabel(p);
  const select = (key: TabKey) => {
    const query = new URLSearchParams(location.query);
    if (key === 'tracks') query.delete('tab');
    else query.set('tab', key);
    const search = query.toString();
    navigate(`${location.path}${search ? `?${search}` : ''}`, { replace: true });
  };
  const tabs: Tab<TabKey>[] = [
    { key: 'tracks', label: 'Tracks' },
    { key: 'reposts', label: 'Reposts' },
    { key: 'favorites', label: 'Favorites' },
    { key: 'playlists', label: 'Playlists' },
    { key: 'followers', label: `Followers (${followers.toLocaleString('en')})` },
    { key: 'following', label: `Following (${p.following.toLocaleString('en')})` },
  ];

  return (
    <div className="stack profile-page">
      <header className="profile-head">
        <Avatar user={p} size={120} />
        <div className="profile-text">
          <h1>{p.displayName?.trim() || (p.handle ? `@${p.handle}` : shortAddress(p.address))}</h1>
          <p className="muted">
            {p.handle && p.displayName?.trim() && <span>@{p.handle} · </span>}
            <Link href={`/explorer/accounts/${p.address}`} title={`${p.address} on the ledger`}>
              <code>{p.handle || p.displayName?.trim() ? shortAddress(p.address) : p.address}</code>
            </Link>
          </p>
          <p className="profile-counts">
            <button type="button" className="link-button" onClick={() => select('followers')}>
              <strong>{followers.toLocaleString('en')}</strong> {followers === 1 ? 'follower' : 'followers'}
            </button>
            <button type="button" className="link-button" onClick={() => select('following')}>
              <strong>{p.following.toLocaleString('en')}</strong> following
            </button>
          </p>
          {p.bio && <p className="bio">{p.bio}</p>}
          {p.links.length > 0 && (
            <ul className="profile-links" aria-label="Links">
              {p.links
                .filter((link) => /^https?:\/\//i.test(link.url))
                .map((link) => (
                  <li key={`${link.label}|${link.url}`}>
                    <a href={link.url} rel="nofollow noopener noreferrer ugc" target="_blank">
                      {link.label || link.url}
                    </a>
                  </li>
                ))}
            </ul>
          )}
          <div className="row">
            {self ? (
              <Link href="/settings" className="button secondary">
                Edit profile
              </Link>
            ) : (
              <FollowButton
                key={`${viewer}:${p.followedByViewer}`}
                target={p.address}
                name={name}
                following={p.followedByViewer}
                viewer={viewer}
                onChange={(following, count) =>
                  setFollowers((n) => (count !== undefined ? count : following ? n + 1 : Math.max(0, n - 1)))
                }
              />
            )}
          </div>
        </div>
      </header>
      <Tabs tabs={tabs} selected={tab} onSelect={select} label={`${name}'s profile`}>
        <ProfileTab key={`${p.address}:${tab}:${viewer}`} tab={tab} profile={p} viewer={viewer} self={self} />
      </Tabs>
    </div>
  );
}

function ProfileTab({
  tab,
  profile,
  viewer,
  self,
}: {
  tab: TabKey;
  profile: ProfileData;
  viewer: string | undefined;
  self: boolean;
}) {
  switch (tab) {
    case 'tracks':
      return (
        <TrackTab
          what="tracks"
          label={`Tracks by ${userLabel(profile)}`}
          empty={self ? 'You have not uploaded a track yet.' : 'No tracks yet.'}
          initial={profile.tracks}
          load={(cursor) =>
            api
              .GET('/api/v1/tracks', { params: { query: { owner: profile.address, cursor, limit: 20 } } })
              .then(unwrap)
              .then((page) => ({ items: page.tracks, nextCursor: page.nextCursor }))
          }
        />
      );
    case 'reposts':
      return (
        <TrackTab
          what="reposts"
          label={`Reposted by ${userLabel(profile)}`}
          empty="No reposts yet."
          initial={{
            items: profile.reposts.items.map((item) => item.track),
            nextCursor: profile.reposts.nextCursor,
          }}
          load={(cursor) =>
            api
              .GET('/api/v1/users/{handleOrAddress}/reposts', {
                params: { path: { handleOrAddress: profile.address }, query: { cursor, limit: 20 } },
              })
              .then(unwrap)
              .then((page) => ({ items: page.items.map((item) => item.track), nextCursor: page.nextCursor }))
          }
        />
      );
    case 'favorites':
      return (
        <TrackTab
          what="favorites"
          label={`Favorited by ${userLabel(profile)}`}
          empty="No favorites yet."
          load={(cursor) =>
            api
              .GET('/api/v1/users/{handleOrAddress}/favorites', {
                params: { path: { handleOrAddress: profile.address }, query: { cursor, limit: 20 } },
              })
              .then(unwrap)
              .then((page) => ({ items: page.items.map((item) => item.track), nextCursor: page.nextCursor }))
          }
        />
      );
    case 'playlists':
      return <PlaylistsTab owner={profile.address} self={self} />;
    case 'followers':
    case 'following':
      return <AccountsTab list={tab} profile={profile} viewer={viewer} />;
  }
}

function TrackTab({
  what,
  label,
  empty,
  initial,
  load,
}: {
  what: string;
  label: string;
  empty: string;
  initial?: Page<Track>;
  load(cursor: string | undefined): Promise<Page<Track>>;
}) {
  const paged = usePaged<Track>(what, load, initial);
  if (paged.loading) return <p className="muted">Loading…</p>;
  return (
    <>
      {!paged.error && <TrackList tracks={paged.items} label={label} empty={empty} />}
      <LoadMore paged={paged} what={what} />
    </>
  );
}

function AccountsTab({
  list,
  profile,
  viewer,
}: {
  list: 'followers' | 'following';
  profile: ProfileData;
  viewer: string | undefined;
}) {
  const path =
    list === 'followers'
      ? ('/api/v1/users/{handleOrAddress}/followers' as const)
      : ('/api/v1/users/{handleOrAddress}/following' as const);
  const paged = usePaged<ListedUser>(list, (cursor) =>
    api
      .GET(path, { params: { path: { handleOrAddress: profile.address }, query: { cursor, limit: 20 } } })
      .then(unwrap)
      .then((page) => ({ items: page.users, nextCursor: page.nextCursor })),
  );
  const name = userLabel(profile);
  return (
    <UserList
      paged={paged}
      viewer={viewer}
      label={list === 'followers' ? `Followers of ${name}` : `Followed by ${name}`}
      empty={list === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}
    />
  );
}

function PlaylistsTab({ owner, self }: { owner: string; self: boolean }) {
  const paged = usePaged<PlaylistSummary>('playlists', (cursor) =>
    api
      .GET('/api/v1/playlists', { params: { query: { owner, cursor, limit: 20 } } })
      .then(unwrap)
      .then((page) => ({ items: page.playlists, nextCursor: page.nextCursor })),
  );
  return (
    <>
      {self && <NewPlaylist />}
      {paged.loading ? (
        <p className="muted">Loading…</p>
      ) : paged.items.length === 0 && !paged.error ? (
        <p className="muted">No playlists yet.</p>
      ) : (
        <ul className="playlist-grid" aria-label="Playlists and albums">
          {paged.items.map((playlist) => (
            <li key={playlist.id} className="card playlist-card">
              <Link href={`/playlists/${playlist.id}`} className="track-title">
                {playlist.title}
              </Link>
              <span className="muted small">
                {playlist.kind === 'album' ? 'Album' : 'Playlist'} · {playlist.trackCount}{' '}
                {playlist.trackCount === 1 ? 'track' : 'tracks'}
                {playlist.visibility === 'hidden' && <span className="badge">Hidden</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
      <LoadMore paged={paged} what="playlists" />
    </>
  );
}

function NewPlaylist() {
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<'playlist' | 'album'>('playlist');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const playlist = await api.POST('/api/v1/playlists', { body: { title, kind } }).then(unwrap);
      navigate(`/playlists/${playlist.id}`);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card new-playlist" onSubmit={(event) => void submit(event)} aria-label="New playlist">
      <div className="form-row">
        <div>
          <label htmlFor="new-playlist-title">New playlist or album</label>
          <input
            id="new-playlist-title"
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            autoComplete="off"
          />
        </div>
        <div>
          <label htmlFor="new-playlist-kind">Kind</label>
          <select
            id="new-playlist-kind"
            value={kind}
            onChange={(event) => setKind(event.target.value as 'playlist' | 'album')}
          >
            <option value="playlist">Playlist</option>
            <option value="album">Album (your own tracks)</option>
          </select>
        </div>
        <button type="submit" disabled={busy}>
          Create
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
