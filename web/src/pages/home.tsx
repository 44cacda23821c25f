import type { Track } from '@fairstream/sdk';
import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { GenreLinks } from '../components/genre-links.tsx';
import { TrackList } from '../components/track-list.tsx';
import { useSession } from '../session/session.tsx';

interface HomeData {
  trending: (Track & { promoted: boolean })[];
  releases: Track[];
  feed: Track[] | undefined;
}

/** Trending, new releases, genres and, for the signed-in, what the accounts they follow posted. */
export function HomePage() {
  const { address } = useSession();
  const [data, setData] = useState<HomeData>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [trending, releases, feed] = await Promise.all([
          api.GET('/api/v1/trending', { params: { query: { window: 'week', limit: 10 } } }).then(unwrap),
          api.GET('/api/v1/releases', { params: { query: { limit: 10 } } }).then(unwrap),
          address
            ? api.GET('/api/v1/me/feed', { params: { query: { limit: 10 } } }).then(unwrap)
            : Promise.resolve(undefined),
        ]);
        if (!live) return;
        setData({
          trending: trending.items.map((item) => ({ ...item.track, promoted: item.promoted })),
          releases: releases.tracks,
          feed: feed?.items.map((item) => item.track),
        });
      } catch (cause) {
        if (live) setError(errorMessage(cause));
      }
    })();
    return () => {
      live = false;
    };
  }, [address]);

  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <div className="stack">
      {data.feed && (
        <section aria-labelledby="feed-heading">
          <h2 id="feed-heading">From people you follow</h2>
          <TrackList
            tracks={data.feed}
            label="Your feed"
            empty="Follow artists to see their new tracks here."
          />
        </section>
      )}
      <section aria-labelledby="trending-heading">
        <h2 id="trending-heading">Trending this week</h2>
        <TrackList tracks={data.trending} label="Trending" empty="No counted plays this week yet." />
      </section>
      <section aria-labelledby="releases-heading">
        <h2 id="releases-heading">New releases</h2>
        <TrackList tracks={data.releases} label="New releases" empty="No tracks yet: upload the first one." />
      </section>
      <section aria-labelledby="genres-heading">
        <h2 id="genres-heading">Genres</h2>
        <GenreLinks />
      </section>
    </div>
  );
}
