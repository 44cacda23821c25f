import type { Track } from '@fairstream/sdk';
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useSession } from '../session/session.tsx';
import { PlayerEngine, type PlayerState, type PlayOptions } from './engine.ts';

export type { PlayOptions } from './engine.ts';
export { pickRendition } from './engine.ts';

/** What the rest of the app asks of the player bar: play a track within a queue, and its state. */
export interface Player {
  current: Track | undefined;
  queue: Track[];
  index: number;
  playing: boolean;
  /** Plays `track`; `queue` (which should contain it) becomes what next/previous walk through. */
  play(track: Track, queue?: Track[], options?: PlayOptions): void;
  toggle(): void;
  pause(): void;
  /** Moves the current track to `ms` from its start. */
  seek(ms: number): void;
  /** Moves by `deltaMs` (negative: back). */
  seekBy(deltaMs: number): void;
  /** Where the current track is, in milliseconds (updated a few times a second while playing). */
  positionMs: number;
  /** Length of what plays: the track, or its preview clip. */
  durationMs: number;
  next(): void;
  /** To the start of the track, or to the previous one when within its first 3 seconds. */
  previous(): void;
  /** Plays the queue's track at `index`. */
  jumpTo(index: number): void;
  /** Takes the queue's track at `index` out (the one playing: the next one plays). */
  remove(index: number): void;
  /** Adds tracks at the end of the queue. */
  enqueue(tracks: Track[]): void;
  volume: number;
  muted: boolean;
  setVolume(volume: number): void;
  toggleMute(): void;
  /** Loudness normalization to -14 LUFS (on by default, kept in this browser). */
  normalize: boolean;
  setNormalize(on: boolean): void;
  buffering: boolean;
  /** Set while only the preview plays, with what the full track needs. */
  preview: PlayerState['preview'];
  error: string | undefined;
  /** Distinct audio heard in this play against what counting needs (signed in, full track only). */
  counting: PlayerState['counting'];
  audio: HTMLAudioElement | undefined;
}

const PlayerContext = createContext<Player | undefined>(undefined);

export function usePlayer(): Player {
  const player = useContext(PlayerContext);
  if (!player) throw new Error('usePlayer outside <PlayerProvider>');
  return player;
}

export function PlayerProvider({ children }: { children: React.ReactNode }) {
  const [engine] = useState(() => new PlayerEngine());
  const state = useSyncExternalStore(engine.subscribe, engine.getSnapshot);
  const session = useSession();

  useEffect(() => {
    engine.attach();
    return () => engine.detach();
  }, [engine]);

  useEffect(() => {
    engine.setSession({
      address: session.address,
      sessionKey: session.sessionKey,
      contracts: session.chain?.contracts,
    });
  }, [engine, session.address, session.sessionKey, session.chain]);

  const commands = useMemo(
    () => ({
      play: (track: Track, queue?: Track[], options?: PlayOptions) => engine.play(track, queue, options),
      toggle: () => engine.toggle(),
      pause: () => engine.pause(),
      seek: (ms: number) => engine.seek(ms),
      seekBy: (delta: number) => engine.seekBy(delta),
      next: () => engine.next(),
      previous: () => engine.previous(),
      jumpTo: (index: number) => engine.jumpTo(index),
      remove: (index: number) => engine.removeAt(index),
      enqueue: (tracks: Track[]) => engine.enqueue(tracks),
      setVolume: (volume: number) => engine.setVolume(volume),
      toggleMute: () => engine.toggleMute(),
      setNormalize: (on: boolean) => engine.setNormalize(on),
      audio: engine.audio,
    }),
    [engine],
  );

  const value = useMemo<Player>(
    () => ({
      ...commands,
      current: state.queue[state.index],
      queue: state.queue,
      index: state.index,
      playing: state.playing,
      positionMs: state.positionMs,
      durationMs: state.durationMs,
      volume: state.volume,
      muted: state.muted,
      normalize: state.normalize,
      buffering: state.buffering,
      preview: state.preview,
      error: state.error,
      counting: state.counting,
    }),
    [commands, state],
  );
  return <PlayerContext.Provider value={value}>{children}</PlayerContext.Provider>;
}
