import type { Track } from '@fairstream/sdk';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

/** What the rest of the app asks of the player bar: play a track within a queue, and its state. */
export interface Player {
  current: Track | undefined;
  queue: Track[];
  index: number;
  playing: boolean;
  /** Plays `track`; `queue` (which should contain it) becomes what next/previous walk through. */
  play(track: Track, queue?: Track[]): void;
  toggle(): void;
  /** Moves the current track to `ms` from its start. */
  seek(ms: number): void;
  /** Where the current track is, in milliseconds (updated a few times a second while playing). */
  positionMs: number;
  next(): void;
  previous(): void;
  audio: HTMLAudioElement | undefined;
}

const PlayerContext = createContext<Player | undefined>(undefined);

export function usePlayer(): Player {
  const player = useContext(PlayerContext);
  if (!player) throw new Error('usePlayer outside <PlayerProvider>');
  return player;
}

/** Opus where the browser plays it, else the AAC/MP3 fallback; the preview when that is all there is. */
export function pickRendition(track: Track, canPlay: (mime: string) => boolean) {
  const byFormat = (format: string) => track.renditions.find((r) => r.format === format);
  const opus = byFormat('opus');
  if (opus && canPlay(opus.mime)) return opus;
  return byFormat('aac') ?? byFormat('mp3') ?? byFormat('preview') ?? opus;
}

export function PlayerProvider({ children }: { children: React.ReactNode }) {
  const audioRef = useRef<HTMLAudioElement>(undefined);
  const [audio, setAudio] = useState<HTMLAudioElement>();
  const [queue, setQueue] = useState<Track[]>([]);
  const [index, setIndex] = useState(-1);
  const [playing, setPlaying] = useState(false);
  const [positionMs, setPositionMs] = useState(0);
  const current = queue[index];

  useEffect(() => {
    const element = new Audio();
    element.preload = 'auto';
    audioRef.current = element;
    setAudio(element);
    const onPlay = () => setPlaying(true);
    const onPause = () => setPlaying(false);
    const onTime = () => setPositionMs(Math.round(element.currentTime * 1000));
    element.addEventListener('play', onPlay);
    element.addEventListener('pause', onPause);
    element.addEventListener('timeupdate', onTime);
    return () => {
      element.pause();
      element.removeEventListener('timeupdate', onTime);
      element.removeEventListener('play', onPlay);
      element.removeEventListener('pause', onPause);
    };
  }, []);

  const load = useCallback((track: Track | undefined) => {
    const element = audioRef.current;
    if (!element || !track) return;
    const rendition = pickRendition(track, (mime) => element.canPlayType(mime) !== '');
    if (!rendition) return;
    element.src = rendition.url;
    void element.play().catch(() => setPlaying(false));
  }, []);

  const play = useCallback(
    (track: Track, nextQueue?: Track[]) => {
      const list = nextQueue?.some((t) => t.id === track.id) ? nextQueue : [track];
      setQueue(list);
      const at = list.findIndex((t) => t.id === track.id);
      setIndex(at);
      load(list[at]);
    },
    [load],
  );

  const step = useCallback(
    (delta: number) => {
      const at = index + delta;
      if (at < 0 || at >= queue.length) return;
      setIndex(at);
      load(queue[at]);
    },
    [index, queue, load],
  );

  useEffect(() => {
    if (!audio) return;
    const onEnded = () => step(1);
    audio.addEventListener('ended', onEnded);
    return () => audio.removeEventListener('ended', onEnded);
  }, [audio, step]);

  const value = useMemo<Player>(
    () => ({
      current,
      queue,
      index,
      playing,
      play,
      toggle: () => {
        if (!audio || !current) return;
        if (audio.paused) void audio.play();
        else audio.pause();
      },
      seek: (ms: number) => {
        if (audio) audio.currentTime = Math.max(0, ms) / 1000;
      },
      positionMs,
      next: () => step(1),
      previous: () => step(-1),
      audio,
    }),
    [current, queue, index, playing, positionMs, play, step, audio],
  );
  return <PlayerContext.Provider value={value}>{children}</PlayerContext.Provider>;
}
