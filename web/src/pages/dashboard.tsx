import type { Track } from '@fairstream/sdk';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { ClaimsPanel } from '../dashboard/claims.tsx';
import { EarningsTable, EarningsTotals } from '../dashboard/earnings.tsx';
import { RewardFans } from '../dashboard/reward-fans.tsx';
import { money, useTokens } from '../dashboard/tokens.ts';
import { TrackInsights } from '../dashboard/track-insights.tsx';
import { LiveBadge, useEventStream } from '../dashboard/use-live.tsx';
import { useLoad } from '../dashboard/use-load.ts';
import type { Earnings } from '../explorer/types.ts';
import '../explorer/explorer.css';
import '../dashboard/dashboard.css';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';

// The promotion panel brings the chain actions: loaded when an artist opens their tracks.
const PromotePanel = lazy(() => import('../wallet/promote-panel.tsx'));

/**
 * The artist's dashboard: their tracks' plays and listeners (and promoting one), earnings with how
 * each was computed, payouts, and rewarding their top fans with a FAIR drop.
 */
export default function DashboardPage() {
  const { address, loading } = useSession();
  useEffect(() => {
    document.title = 'Dashboard · Fairstream';
  }, []);
  if (loading) return <p className="muted">Loading…</p>;
  if (!address)
    return (
      <section>
        <h1>Dashboard</h1>
        <p>Sign in (top right) to see your tracks’ plays, listeners and earnings.</p>
      </section>
    );
  return <Dashboard address={address} />;
}

function Dashboard({ address }: { address: string }) {
  const { chain } = useSession();
  const token = useTokens();
  const [announcement, setAnnouncement] = useState<string>();
  const tracks = useLoad(`tracks:${address}`, async () => {
    const page = unwrap(
      await api.GET('/api/v1/tracks', { params: { query: { owner: address, limit: 100 } } }),
    );
    return page.tracks;
  });
  const earnings = useLoad(`earnings:${address}`, () =>
    api.GET('/api/v1/accounts/{address}/earnings', { params: { path: { address } } }).then(unwrap),
  );
  const claims = useLoad(`claims:${address}`, () =>
    api.GET('/api/v1/accounts/{address}/claims', { params: { path: { address } } }).then(unwrap),
  );
  const live = useEventStream(`/api/v1/accounts/${address}/earnings/live`, 'epoch', (data) => {
    const event = data as { epoch: { n: number }; earnings: Earnings };
    earnings.reload();
    claims.reload();
    tracks.reload();
    const mine = event.earnings.items;
    if (mine.length > 0)
      setAnnouncement(
        `Epoch ${event.epoch.n} settled: you earned ${mine.map((item) => `${money(item.amount, token(item.token))} from ${item.title ?? item.trackId}`).join(', ')}.`,
      );
  });
  // Claims change when an epoch becomes final, which no event announces: look again now and then.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') claims.reload();
    }, 15_000);
    return () => clearInterval(timer);
  }, [claims.reload]);

  return (
    <div className="dashboard stack">
      <header className="row dashboard-head">
        <h1>Dashboard</h1>
        <LiveBadge state={live} />
      </header>
      <p role="status" aria-live="polite" className="announcement">
        {announcement}
      </p>

      <section aria-labelledby="earnings-heading">
        <h2 id="earnings-heading">Earnings</h2>
        {earnings.error && <p role="alert">Could not load your earnings: {earnings.error}</p>}
        {!earnings.data && !earnings.error && <p className="muted">Loading…</p>}
        {earnings.data && (
          <>
            <EarningsTotals earnings={earnings.data} token={token} />
            <EarningsTable earnings={earnings.data} token={token} fairAddress={chain?.contracts.FairToken} />
          </>
        )}
      </section>

      <section aria-labelledby="payouts-heading">
        <h2 id="payouts-heading">Payouts to your wallet</h2>
        {claims.error && <p role="alert">Could not read your payouts: {claims.error}</p>}
        {!claims.data && !claims.error && <p className="muted">Loading…</p>}
        {claims.data && <ClaimsPanel claims={claims.data} onClaimed={claims.reload} />}
      </section>

      <section aria-labelledby="tracks-heading">
        <h2 id="tracks-heading">Your tracks</h2>
        {tracks.error && <p role="alert">Could not load your tracks: {tracks.error}</p>}
        {!tracks.data && !tracks.error && <p className="muted">Loading…</p>}
        {tracks.data && <Tracks tracks={tracks.data} />}
      </section>

      <section aria-labelledby="reward-fans-heading">
        <h2 id="reward-fans-heading">Reward your top fans</h2>
        <RewardFans address={address} />
      </section>
    </div>
  );
}

function Tracks({ tracks }: { tracks: Track[] }) {
  const [selected, setSelected] = useState<string>();
  if (tracks.length === 0)
    return (
      <p>
        No tracks yet. <Link href="/upload">Upload your first track</Link>: its plays and listeners show up
        here.
      </p>
    );
  const current = tracks.find((track) => track.id === selected) ?? tracks[0]!;
  return (
    <>
      <ul className="plain my-tracks">
        {tracks.map((track) => (
          <li key={track.id}>
            <button
              type="button"
              className={track.id === current.id ? 'track-choice selected' : 'track-choice'}
              aria-pressed={track.id === current.id}
              onClick={() => setSelected(track.id)}
            >
              <span className="track-choice-title">{track.title}</span>
              <span className="muted">
                {track.countedPlays.toLocaleString('en')} counted{' '}
                {track.countedPlays === 1 ? 'play' : 'plays'}
                {track.state !== 'ready' && ` · ${track.state}`}
                {track.visibility === 'hidden' && ' · hidden'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="track-promote">
        <Suspense fallback={null}>
          <PromotePanel key={current.id} track={current} buttonLabel={`Promote “${current.title}”`} />
        </Suspense>
      </div>
      <TrackInsights key={current.id} track={current} />
    </>
  );
}
