import { useEffect, useRef } from 'react';
import { formatDuration } from '../lib/format.ts';
import { usePlayer } from '../player/player.tsx';
import { Icon } from './player-icons.tsx';
import { artistLabel } from './track-list.tsx';

/**
 * The queue: what plays next, to jump to or take out. Also holds the volume and normalization
 * settings on phones, where the bar has no room for them. Esc closes it.
 */
export function PlayerQueue({ id, onClose }: { id: string; onClose: () => void }) {
  const player = usePlayer();
  const ref = useRef<HTMLElement>(null);
  // A track may be queued twice: its id and which time it appears keep rows stable.
  const seen = new Map<string, number>();
  const keys = player.queue.map((track) => {
    const n = (seen.get(track.id) ?? 0) + 1;
    seen.set(track.id, n);
    return `${track.id}#${n}`;
  });
  useEffect(() => {
    const panel = ref.current;
    (
      panel?.querySelector<HTMLElement>('[aria-current="true"] button') ?? panel?.querySelector('button')
    )?.focus();
  }, []);
  return (
    <section
      id={id}
      ref={ref}
      className="player-queue"
      aria-labelledby={`${id}-heading`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="player-queue-header">
        <h2 id={`${id}-heading`}>Queue</h2>
        <button type="button" className="player-icon-button" aria-label="Close queue" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {player.counting && <CountingStatus {...player.counting} />}
      <div className="player-queue-settings">
        <label className="player-volume">
          <span>Volume</span>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={Math.round((player.muted ? 0 : player.volume) * 100)}
            aria-valuetext={player.muted ? 'Muted' : `${Math.round(player.volume * 100)}%`}
            onChange={(event) => player.setVolume(Number(event.target.value) / 100)}
          />
        </label>
        <label className="player-switch">
          <input
            type="checkbox"
            role="switch"
            checked={player.normalize}
            aria-checked={player.normalize}
            onChange={(event) => player.setNormalize(event.target.checked)}
          />
          Normalize loudness
        </label>
      </div>
      {player.queue.length === 0 ? (
        <p className="muted">The queue is empty.</p>
      ) : (
        <ol className="player-queue-list">
          {player.queue.map((track, index) => {
            const current = index === player.index;
            return (
              <li
                key={keys[index]}
                aria-current={current ? 'true' : undefined}
                className={current ? 'current' : undefined}
              >
                <button type="button" className="player-queue-item" onClick={() => player.jumpTo(index)}>
                  <span className="visually-hidden">{current ? 'Playing: ' : 'Play '}</span>
                  <span className="track-title">{track.title}</span>
                  <span className="track-artist">{artistLabel(track)}</span>
                </button>
                <span className="track-meta">{formatDuration(track.durationMs)}</span>
                <button
                  type="button"
                  className="player-icon-button"
                  aria-label={`Remove ${track.title} from the queue`}
                  onClick={() => player.remove(index)}
                >
                  <Icon name="close" size={18} />
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** Whether this play has been heard long enough to count yet, by the published rule. */
function CountingStatus({ heardMs, requiredMs }: { heardMs: number; requiredMs: number }) {
  return (
    <p className="muted player-counting">
      {heardMs >= requiredMs
        ? 'This play has been heard long enough to count.'
        : `This play counts after ${formatDuration(requiredMs)} of listening (${formatDuration(heardMs)} so far).`}
    </p>
  );
}
