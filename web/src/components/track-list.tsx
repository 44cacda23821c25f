import type { Track } from '@fairstream/sdk';
import { formatDuration, shortAddress } from '../lib/format.ts';
import { usePlayer } from '../player/player.tsx';
import { Link } from '../router.tsx';

export function coverUrl(track: Track, size: 150 | 480 | 1000 = 150): string | undefined {
  const webp = track.cover.find((c) => c.variant === String(size) && c.mime === 'image/webp');
  return (webp ?? track.cover.find((c) => c.variant === String(size)) ?? track.cover[0])?.url;
}

export function artistLabel(track: Track): string {
  return track.artistName ?? shortAddress(track.owner);
}

/** Rows of tracks; pressing play queues the whole list from that track on. */
export function TrackList({ tracks, label, empty }: { tracks: Track[]; label: string; empty?: string }) {
  const player = usePlayer();
  if (tracks.length === 0) return <p className="muted">{empty ?? 'Nothing here yet.'}</p>;
  return (
    <ol className="track-list" aria-label={label}>
      {tracks.map((track) => {
        const current = player.current?.id === track.id;
        return (
          <li key={track.id} className={current ? 'track-row current' : 'track-row'}>
            <button
              type="button"
              className="play-button"
              aria-label={current && player.playing ? `Pause ${track.title}` : `Play ${track.title}`}
              onClick={() => (current ? player.toggle() : player.play(track, tracks))}
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
              <Link href={`/t/${track.id}`} className="track-title">
                {track.title}
              </Link>
              <Link href={`/u/${track.owner}`} className="track-artist">
                {artistLabel(track)}
              </Link>
            </span>
            {track.access.kind === 'token' && <span className="badge">Gated</span>}
            <span className="track-meta">{track.countedPlays.toLocaleString('en')} plays</span>
            <span className="track-meta">{formatDuration(track.durationMs)}</span>
          </li>
        );
      })}
    </ol>
  );
}
