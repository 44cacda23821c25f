import type { Track } from '@fairstream/sdk';
import type { ReactNode } from 'react';
import { formatDuration, shortAddress } from '../lib/format.ts';
import { usePlayer } from '../player/player.tsx';
import { Link } from '../router.tsx';
import { UserLink } from './user-link.tsx';
import './listening.css';

type CoverSize = 150 | 480 | 1000;

/** A cover variant ("480.webp"), WebP first; the nearest other size when that one is missing. */
function cover(track: Track, size: CoverSize) {
  const ofSize = (px: number) =>
    track.cover.find((c) => c.variant === `${px}.webp`) ??
    track.cover.find((c) => c.variant.startsWith(`${px}.`));
  return ofSize(size) ?? ofSize(480) ?? ofSize(150) ?? ofSize(1000) ?? track.cover[0];
}

export function coverUrl(track: Track, size: CoverSize = 150): string | undefined {
  return cover(track, size)?.url;
}

/** `srcset` of the given cover sizes, for images the browser picks from by width. */
export function coverSrcSet(track: Track, sizes: readonly CoverSize[]): string | undefined {
  const entries = sizes.flatMap((size) => {
    const image = track.cover.find((c) => c.variant === `${size}.webp`);
    return image ? [`${image.url} ${size}w`] : [];
  });
  return entries.length > 0 ? entries.join(', ') : undefined;
}

export function artistLabel(track: Track): string {
  return track.artistName ?? shortAddress(track.owner);
}

/**
 * Rows of tracks; pressing play queues the whole list from that track on. `actions` adds controls
 * to each row (a playlist owner's move and remove buttons). A track marked `promoted` (the paid
 * slot of trending and search) is always labeled so.
 */
export function TrackList({
  tracks,
  label,
  empty,
  actions,
}: {
  tracks: (Track & { promoted?: boolean })[];
  label: string;
  empty?: string;
  actions?: (track: Track, index: number) => ReactNode;
}) {
  const player = usePlayer();
  if (tracks.length === 0) return <p className="muted">{empty ?? 'Nothing here yet.'}</p>;
  const playable = tracks.filter((track) => track.state === 'ready');
  return (
    <ol className="track-list" aria-label={label}>
      {tracks.map((track, index) => {
        const current = player.current?.id === track.id;
        const ready = track.state === 'ready';
        return (
          <li key={track.id} className={current ? 'track-row current' : 'track-row'}>
            <button
              type="button"
              className="play-button"
              aria-label={current && player.playing ? `Pause ${track.title}` : `Play ${track.title}`}
              disabled={!ready}
              title={ready ? undefined : 'Still processing'}
              onClick={() => (current ? player.toggle() : player.play(track, playable))}
            >
              {current && player.playing ? '❚❚' : '▶'}
            </button>
            {coverUrl(track) ? (
              <img
                className="cover-small"
                src={coverUrl(track)}
                alt=""
                width={48}
                height={48}
                loading="lazy"
              />
            ) : (
              <span className="cover-small cover-empty" aria-hidden="true" />
            )}
            <span className="track-text">
              <Link href={`/t/${track.id}`} className="track-title" data-result="">
                {track.title}
              </Link>
              {track.artistName ? (
                <Link href={`/u/${track.owner}`} className="track-artist">
                  {track.artistName}
                </Link>
              ) : (
                <UserLink address={track.owner} className="track-artist" />
              )}
            </span>
            {track.promoted && <span className="badge">Promoted</span>}
            {track.visibility === 'hidden' && <span className="badge">Hidden</span>}
            {track.state === 'processing' && <span className="badge">Processing</span>}
            {track.state === 'failed' && <span className="badge">Failed</span>}
            {track.access.kind === 'token' && <span className="badge">Gated</span>}
            <span className="track-meta">{track.countedPlays.toLocaleString('en')} plays</span>
            <span className="track-meta">{formatDuration(track.durationMs)}</span>
            {actions && <span className="track-actions-cell">{actions(track, index)}</span>}
          </li>
        );
      })}
    </ol>
  );
}
