import { lazy, Suspense, useEffect, useState } from 'react';
import { api, unwrap } from './api.ts';
import { PlayerBar } from './components/player-bar.tsx';
import { SignIn } from './components/sign-in.tsx';
import { HomePage } from './pages/home.tsx';
import { PlayerProvider } from './player/player.tsx';
import { Link, navigate, type Route, Router, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session/session.tsx';

// Pages beyond listening load when first visited, keeping the first load small.
const NotFoundPage = () => (
  <section>
    <h1>Not found</h1>
    <p>
      There is nothing at this address. <Link href="/">Go home</Link>.
    </p>
  </section>
);

const SearchPage = lazy(() => import('./pages/search.tsx'));
const GenrePage = lazy(() => import('./pages/genre.tsx'));
const TrackPage = lazy(() => import('./pages/track.tsx'));
const ProfilePage = lazy(() => import('./pages/profile.tsx'));
const PlaylistPage = lazy(() => import('./pages/playlist.tsx'));
const UploadPage = lazy(() => import('./pages/upload.tsx'));
const DashboardPage = lazy(() => import('./pages/dashboard.tsx'));
const WalletPage = lazy(() => import('./pages/wallet.tsx'));
const ExplorerPage = lazy(() => import('./pages/explorer.tsx'));
const SettingsPage = lazy(() => import('./pages/settings.tsx'));
const AppsPage = lazy(() => import('./pages/apps.tsx'));
const AppDashboardPage = lazy(() =>
  import('./pages/apps.tsx').then((module) => ({ default: module.AppDashboardPage })),
);
const RewardsPage = lazy(() => import('./pages/rewards.tsx'));

/** Every page of the app; the node serves index.html for each, so these are also deep links. */
export const routes: Route[] = [
  { pattern: '/', render: () => <HomePage /> },
  { pattern: '/search', render: (_, query) => <SearchPage query={query.get('q') ?? ''} /> },
  { pattern: '/genres/:genre', render: ({ genre }) => <GenrePage genre={genre!} /> },
  { pattern: '/t/:id', render: ({ id }) => <TrackPage id={id!} /> },
  { pattern: '/u/:handle', render: ({ handle }) => <ProfilePage handle={handle!} /> },
  { pattern: '/playlists/:id', render: ({ id }) => <PlaylistPage id={id!} /> },
  { pattern: '/upload', render: () => <UploadPage /> },
  { pattern: '/dashboard', render: () => <DashboardPage /> },
  { pattern: '/wallet', render: () => <WalletPage /> },
  { pattern: '/rewards', render: () => <RewardsPage /> },
  { pattern: '/settings', render: () => <SettingsPage /> },
  { pattern: '/apps', render: () => <AppsPage /> },
  { pattern: '/apps/:appId', render: ({ appId }) => <AppDashboardPage appId={appId!} /> },
  { pattern: '/explorer', render: () => <ExplorerPage /> },
  { pattern: '/explorer/epochs/:n', render: ({ n }) => <ExplorerPage epoch={n} /> },
  { pattern: '/explorer/accounts/:address', render: ({ address }) => <ExplorerPage account={address} /> },
];

function SearchBox() {
  const location = useLocation();
  const [text, setText] = useState(location.path === '/search' ? (location.query.get('q') ?? '') : '');
  return (
    <form
      className="search-box"
      aria-label="Search"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(`/search?q=${encodeURIComponent(text)}`);
      }}
    >
      <label htmlFor="search-input" className="visually-hidden">
        Search tracks and artists
      </label>
      <input
        id="search-input"
        type="search"
        placeholder="Search tracks, artists, genres"
        autoComplete="off"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          navigate(`/search?q=${encodeURIComponent(event.target.value)}`, {
            replace: location.path === '/search',
          });
        }}
      />
    </form>
  );
}

/** How often the header re-reads the unread count while the tab is open. */
const UNREAD_POLL_MS = 60_000;

/** The signed-in account's notifications, with how many are unread. */
function NotificationsLink() {
  const { address } = useSession();
  const location = useLocation();
  const [unread, setUnread] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read on navigation (the list marks them read).
  useEffect(() => {
    let live = true;
    const read = () =>
      api
        .GET('/api/v1/me/notifications', { params: { query: { limit: 1 } } })
        .then(unwrap)
        .then((page) => live && setUnread(page.unreadCount))
        .catch(() => undefined);
    void read();
    const timer = setInterval(read, UNREAD_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [address, location.path]);
  return (
    <Link href="/settings#notifications-heading">
      Notifications{' '}
      {unread > 0 && (
        <span className="badge unread-badge">
          {unread}
          <span className="visually-hidden"> unread</span>
        </span>
      )}
    </Link>
  );
}

function Shell() {
  const { address } = useSession();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/" className="logo" aria-label="Fairstream home">
          Fairstream
        </Link>
        <SearchBox />
        <nav aria-label="Main">
          <Link href="/">Home</Link>
          <Link href="/upload">Upload</Link>
          {address && <Link href="/dashboard">Dashboard</Link>}
          {address && <Link href="/wallet">Wallet</Link>}
          <Link href="/rewards">Rewards</Link>
          <Link href="/explorer">Ledger</Link>
          <Link href="/apps">Apps</Link>
          {address && <NotificationsLink />}
        </nav>
        <SignIn />
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Router routes={routes} fallback={<NotFoundPage />} />
        </Suspense>
      </main>
      <PlayerBar />
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <PlayerProvider>
        <Shell />
      </PlayerProvider>
    </SessionProvider>
  );
}
