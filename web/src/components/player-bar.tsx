import { useEffect, useRef, useState } from 'react';
import { formatDuration } from '../lib/format.ts';
import { type Player, usePlayer } from '../player/player.tsx';
import { type ShortcutAction, shortcutFor } from '../player/shortcuts.ts';
import { Link } from '../router.tsx';
import { Icon } from './player-icons.tsx';
import { PlayerQueue } from './player-queue.tsx';
import { ShortcutsDialog } from './player-shortcuts.tsx';
import { artistLabel, coverUrl } from './track-list.tsx';
import '../player/player.css';

const VOLUME_STEP = 0.1;
const REPEATABLE = new Set<ShortcutAction>([
  'back5',
  'forward5',
  'back10',
  'forward10',
  'volumeUp',
  'volumeDown',
]);

function runShortcut(player: Player, action: ShortcutAction, openHelp: () => void): void {
  const volume = player.muted ? 0 : player.volume;
  const actions: Record<ShortcutAction, () => void> = {
    toggle: player.toggle,
    back5: () => player.seekBy(-5_000),
    forward5: () => player.seekBy(5_000),
    back10: () => player.seekBy(-10_000),
    forward10: () => player.seekBy(10_000),
    next: player.next,
    previous: player.previous,
    mute: player.toggleMute,
    volumeUp: () => player.setVolume(volume + VOLUME_STEP),
    volumeDown: () => player.setVolume(volume - VOLUME_STEP),
    help: openHelp,
  };
  actions[action]();
}

/** The player bar that stays at the bottom across pages, and the player's keyboard shortcuts. */
export function PlayerBar() {
  const player = usePlayer();
  const [queueOpen, setQueueOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const queueButton = useRef<HTMLButtonElement>(null);
  const latest = useRef(player);
  latest.current = player;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const action = shortcutFor(event, latest.current.current !== undefined);
      if (!action) return;
      event.preventDefault();
      // Holding a key repeats seeking and volume steps, not toggles.
      if (event.repeat && !REPEATABLE.has(action)) return;
      runShortcut(latest.current, action, () => setHelpOpen(true));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const track = player.current;
  const bar = useRef<HTMLElement>(null);
  const hasTrack = track !== undefined;
  useEffect(() => {
    // The page keeps room for the bar, whose height changes with the width and a notice line.
    const element = bar.current;
    if (!hasTrack || !element) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      root.style.setProperty('--bar-height', `${Math.ceil(element.getBoundingClientRect().height)}px`);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty('--bar-height');
    };
  }, [hasTrack]);
  const closeQueue = () => {
    setQueueOpen(false);
    queueButton.current?.focus();
  };
  return (
    <>
      {helpOpen && <ShortcutsDialog onClose={() => setHelpOpen(false)} />}
      {track && queueOpen && <PlayerQueue id="player-queue" onClose={closeQueue} />}
      {track && (
        <section ref={bar} className="player-bar" aria-label="Player">
          <div className="pb-now">
            {coverUrl(track) ? (
              <img className="cover-small" src={coverUrl(track)} alt="" width={48} height={48} />
            ) : (
              <span className="cover-small cover-empty" aria-hidden="true" />
            )}
            <span className="track-text">
              <span className="pb-title-line">
                <Link href={`/t/${track.id}`} className="track-title">
                  {track.title}
                </Link>
                {player.preview && <span className="badge pb-preview-badge">Preview</span>}
              </span>
              <Link href={`/u/${track.owner}`} className="track-artist">
                {artistLabel(track)}
              </Link>
            </span>
          </div>

          <div className="pb-controls">
            <button
              type="button"
              className="player-icon-button"
              aria-label="Previous"
              title="Previous (Shift+P)"
              onClick={player.previous}
            >
              <Icon name="previous" />
            </button>
            <button
              type="button"
              className="player-play"
              aria-label={player.playing ? 'Pause' : 'Play'}
              title={player.playing ? 'Pause (Space)' : 'Play (Space)'}
              aria-busy={player.buffering || undefined}
              onClick={player.toggle}
            >
              <Icon name={player.playing ? 'pause' : 'play'} size={24} />
            </button>
            <button
              type="button"
              className="player-icon-button"
              aria-label="Next"
              title="Next (Shift+N)"
              onClick={player.next}
              disabled={player.index >= player.queue.length - 1}
            >
              <Icon name="next" />
            </button>
          </div>

          <SeekBar player={player} />

          <div className="pb-extras">
            <button
              type="button"
              className="player-icon-button pb-mute"
              aria-label={player.muted ? 'Unmute' : 'Mute'}
              title={player.muted ? 'Unmute (M)' : 'Mute (M)'}
              onClick={player.toggleMute}
            >
              <Icon name={player.muted || player.volume === 0 ? 'muted' : 'volume'} />
            </button>
            <input
              className="pb-volume"
              type="range"
              min={0}
              max={100}
              step={5}
              aria-label="Volume"
              value={Math.round((player.muted ? 0 : player.volume) * 100)}
              aria-valuetext={player.muted ? 'Muted' : `${Math.round(player.volume * 100)}%`}
              onChange={(event) => player.setVolume(Number(event.target.value) / 100)}
            />
            <label className="player-switch pb-normalize" title="Plays every track at -14 LUFS">
              <input
                type="checkbox"
                role="switch"
                checked={player.normalize}
                aria-checked={player.normalize}
                onChange={(event) => player.setNormalize(event.target.checked)}
              />
              <span>
                Normalize<span className="pb-normalize-more"> loudness</span>
              </span>
            </label>
            <button
              ref={queueButton}
              type="button"
              className="player-icon-button"
              aria-label="Queue"
              title={`Queue (${player.queue.length})`}
              aria-expanded={queueOpen}
              aria-controls={queueOpen ? 'player-queue' : undefined}
              onClick={() => (queueOpen ? closeQueue() : setQueueOpen(true))}
            >
              <Icon name="queue" />
              <span className="pb-count" aria-hidden="true">
                {player.queue.length}
              </span>
            </button>
            <button
              type="button"
              className="player-icon-button pb-help"
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              onClick={() => setHelpOpen(true)}
            >
              <Icon name="keyboard" />
            </button>
          </div>

          <p className={player.error ? 'pb-notice pb-error' : 'pb-notice'} role="status">
            {player.error ??
              (player.preview && (
                <>
                  <strong>Preview.</strong> {player.preview.reason}
                </>
              ))}
          </p>
          <p className="visually-hidden" role="status">
            {`Now playing: ${track.title} by ${artistLabel(track)}${player.preview ? ' (preview)' : ''}`}
          </p>
        </section>
      )}
    </>
  );
}

/**
 * The seek slider with elapsed and total time. Dragging moves the thumb and seeks once on release
 * (each seek would restart buffering); keys seek at once.
 */
function SeekBar({ player }: { player: Player }) {
  const [dragging, setDragging] = useState<number>();
  const duration = Math.max(player.durationMs, 0);
  const position = Math.min(dragging ?? player.positionMs, duration || Number.POSITIVE_INFINITY);
  const commit = () => {
    if (dragging !== undefined) player.seek(dragging);
    setDragging(undefined);
  };
  return (
    <div className="pb-seek">
      <span className="pb-time" aria-hidden="true">
        {formatDuration(position)}
      </span>
      <input
        type="range"
        aria-label="Seek"
        min={0}
        max={duration || 1}
        step={1000}
        value={Math.floor(position)}
        disabled={duration === 0}
        aria-valuetext={`${formatDuration(position)} of ${formatDuration(duration)}`}
        onPointerDown={() => setDragging(player.positionMs)}
        onPointerUp={commit}
        onPointerCancel={() => setDragging(undefined)}
        onChange={(event) => {
          const value = Number(event.target.value);
          if (dragging !== undefined) setDragging(value);
          else player.seek(value);
        }}
        style={{ '--progress': `${duration ? (position / duration) * 100 : 0}%` } as React.CSSProperties}
      />
      <span className="pb-time" aria-hidden="true">
        {formatDuration(duration)}
      </span>
    </div>
  );
}
