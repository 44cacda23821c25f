import { usePlayer } from '../player/player.tsx';
import { Link } from '../router.tsx';
import { artistLabel, coverUrl } from './track-list.tsx';

/** The player bar that stays at the bottom across pages. */
export function PlayerBar() {
  const player = usePlayer();
  const track = player.current;
  if (!track) return null;
  return (
    <section className="player-bar" aria-label="Player">
      {coverUrl(track) && <img className="cover-small" src={coverUrl(track)} alt="" width={48} height={48} />}
      <span className="track-text">
        <Link href={`/t/${track.id}`} className="track-title">
          {track.title}
        </Link>
        <span className="track-artist">{artistLabel(track)}</span>
      </span>
      <span className="controls">
        <button type="button" aria-label="Previous" onClick={player.previous} disabled={player.index <= 0}>
          ⏮
        </button>
        <button type="button" aria-label={player.playing ? 'Pause' : 'Play'} onClick={player.toggle}>
          {player.playing ? '❚❚' : '▶'}
        </button>
        <button
          type="button"
          aria-label="Next"
          onClick={player.next}
          disabled={player.index >= player.queue.length - 1}
        >
          ⏭
        </button>
      </span>
    </section>
  );
}
