import type { Track } from '@fairstream/sdk';
import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { GenreLinks } from '../components/genre-links.tsx';
import { LoadMore } from '../components/load-more.tsx';
import { TrackList } from '../components/track-list.tsx';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { usePaged } from '../components/use-paged.ts';
import '../components/listening.css';

/** A genre: what trends in it this month, then all of its tracks, newest first. */
export default function GenrePage({ genre }: { genre: string }) {
  const [trending, setTrending] = useState<Track[]>();
  const [trendingError, setTrendingError] = useState<string>();
  useEffect(() => {
    let live = true;
    setTrending(undefined);
    setTrendingError(undefined);
    api
      .GET('/api/v1/trending', { params: { query: { genre, window: 'month', limit: 10 } } })
      .then(unwrap)
      .then(
        (chart) => live && setTrending(chart.items.map((item) => item.track)),
        (cause: unknown) => live && setTrendingError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, [genre]);
  const releases = usePaged<Track>(`genre:${genre}`, (cursor) =>
    api
      .GET('/api/v1/releases', { params: { query: { genre, limit: 20, cursor } } })
      .then(unwrap)
      .then((page) => ({ items: page.tracks, nextCursor: page.nextCursor })),
  );

  useDocumentTitle(genre);

  return (
    <div className="stack">
      <header>
        <p className="eyebrow">Genre</p>
        <h1 className="genre-title">{genre}</h1>
      </header>
      <section aria-labelledby="genre-trending">
        <h2 id="genre-trending">Trending this month</h2>
        {trendingError ? (
          <p role="alert">{trendingError}</p>
        ) : trending ? (
          <TrackList
            tracks={trending}
            label={`Trending in ${genre}`}
            empty="No counted plays in this genre this month yet."
          />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
      <section aria-labelledby="genre-all">
        <h2 id="genre-all">
          All <span className="genre-name">{genre}</span> tracks
        </h2>
        {releases.loading ? (
          <p className="muted">Loading…</p>
        ) : (
          !releases.error && (
            <TrackList
              tracks={releases.items}
              label={`${genre} tracks, newest first`}
              empty={`No tracks in “${genre}” yet.`}
            />
          )
        )}
        <LoadMore paged={releases} what="tracks" />
      </section>
      <section aria-labelledby="genre-others">
        <h2 id="genre-others">All genres</h2>
        <GenreLinks current={genre} label="All genres" />
      </section>
    </div>
  );
}
