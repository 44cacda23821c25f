import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { Link } from '../router.tsx';
import './listening.css';

export interface GenreCount {
  genre: string;
  tracks: number;
}

export function genreHref(genre: string): string {
  return `/genres/${encodeURIComponent(genre)}`;
}

/** The genres of listed tracks (GET /genres), most tracks first, as a row of links. */
export function GenreLinks({ current, label = 'Genres' }: { current?: string; label?: string }) {
  const [genres, setGenres] = useState<GenreCount[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/genres')
      .then(unwrap)
      .then(
        (body) => live && setGenres(body.genres),
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!genres) return <p className="muted">Loading genres…</p>;
  if (genres.length === 0)
    return <p className="muted">No genres yet: tracks uploaded with a genre show here.</p>;
  return (
    <ul className="genre-links" aria-label={label}>
      {genres.map(({ genre, tracks }) => (
        <li key={genre}>
          <Link
            href={genreHref(genre)}
            className="chip"
            aria-current={current?.toLowerCase() === genre.toLowerCase() ? 'page' : undefined}
          >
            <span className="genre-name">{genre}</span>{' '}
            <span className="chip-count">
              {tracks.toLocaleString('en')}
              <span className="visually-hidden">{tracks === 1 ? ' track' : ' tracks'}</span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
