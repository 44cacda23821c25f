import type { Track } from '@fairstream/sdk';

/**
 * The Media Session API: the system's media controls (lock screen, headset buttons, the browser's
 * media hub) show the track and drive the player. Every call is guarded: browsers without it, or
 * with only part of it, just do without.
 */

export interface MediaSessionActions {
  play(): void;
  pause(): void;
  previous(): void;
  next(): void;
  seekTo(ms: number): void;
  seekBy(deltaMs: number): void;
}

function session(): MediaSession | undefined {
  return typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : undefined;
}

export function setMediaMetadata(track: Track | undefined, artist: string, preview: boolean): void {
  const media = session();
  if (!media) return;
  if (!track || typeof MediaMetadata === 'undefined') {
    media.metadata = null;
    return;
  }
  const artwork = track.cover
    .filter((cover) => /^\d+$/.test(cover.variant))
    .map((cover) => ({
      src: new URL(cover.url, window.location.origin).href,
      sizes: `${cover.variant}x${cover.variant}`,
      type: cover.mime,
    }));
  media.metadata = new MediaMetadata({
    title: preview ? `${track.title} (preview)` : track.title,
    artist,
    album: 'Fairstream',
    artwork,
  });
}

export function setMediaActions(actions: MediaSessionActions | undefined): void {
  const media = session();
  if (!media) return;
  const handlers: [MediaSessionAction, MediaSessionActionHandler | null][] = [
    ['play', actions ? () => actions.play() : null],
    ['pause', actions ? () => actions.pause() : null],
    ['previoustrack', actions ? () => actions.previous() : null],
    ['nexttrack', actions ? () => actions.next() : null],
    ['seekto', actions ? (details) => actions.seekTo((details.seekTime ?? 0) * 1000) : null],
    ['seekbackward', actions ? (details) => actions.seekBy(-(details.seekOffset ?? 10) * 1000) : null],
    ['seekforward', actions ? (details) => actions.seekBy((details.seekOffset ?? 10) * 1000) : null],
  ];
  for (const [action, handler] of handlers) {
    try {
      media.setActionHandler(action, handler);
    } catch {
      // This browser does not support that action.
    }
  }
}

export function setMediaPlaying(playing: boolean | undefined): void {
  const media = session();
  if (media) media.playbackState = playing === undefined ? 'none' : playing ? 'playing' : 'paused';
}

export function setMediaPosition(positionMs: number, durationMs: number, rate: number): void {
  const media = session();
  if (!media?.setPositionState) return;
  try {
    if (!(durationMs > 0)) {
      media.setPositionState();
      return;
    }
    media.setPositionState({
      duration: durationMs / 1000,
      position: Math.min(durationMs, Math.max(0, positionMs)) / 1000,
      playbackRate: rate > 0 ? rate : 1,
    });
  } catch {
    // A state the browser refuses (e.g. while the duration is being found): the next update fixes it.
  }
}
