import type { PlaybackReport } from '@fairstream/protocol';
import { type SessionKey, signReport, type Track } from '@fairstream/sdk';
import { api, errorMessage, FairstreamApiError } from '../api.ts';
import { loadSessionKey } from '../session/session-key-store.ts';
import { playsInFullWithoutCheck, previewReason } from './access.ts';
import { AudioChain, outputGain } from './loudness.ts';
import { setMediaActions, setMediaMetadata, setMediaPlaying, setMediaPosition } from './media-session.ts';
import { type Listener, PlayReporter } from './play-reporter.ts';
import { type Delivery, ReportOutbox } from './report-outbox.ts';

/** Everything the player shows; a new object on every change (for useSyncExternalStore). */
export interface PlayerState {
  queue: Track[];
  index: number;
  playing: boolean;
  /** Waiting for audio data while it should be playing. */
  buffering: boolean;
  positionMs: number;
  /** Of what is playing: the whole track, or the preview clip. */
  durationMs: number;
  volume: number;
  muted: boolean;
  normalize: boolean;
  /** Set while only the preview plays: why, and what the full track needs. */
  preview: { reason: string } | undefined;
  /** Why the current track does not play, in words that say what to do. */
  error: string | undefined;
  /** Distinct audio heard in this play against what the counting rule needs (signed in, full track). */
  counting: { heardMs: number; requiredMs: number } | undefined;
}

/** What the player needs of the session: who listens, and their report-signing key. */
export interface SessionLink {
  address: string | undefined;
  sessionKey(): Promise<SessionKey | undefined>;
  contracts: Record<string, string> | undefined;
}

export interface PlayOptions {
  /** A share-link token for a hidden track (streams and reports go with it). */
  share?: string | undefined;
  /** Start at this position (ms) instead of the top. */
  atMs?: number;
}

const SETTINGS_KEY = 'fairstream.player.settings';
/** The session key is looked up again after this long: a delegation lasts days, a tab can stay open longer. */
const LISTENER_REFRESH_MS = 60 * 60 * 1000;
/** Previous within this much of a track's start goes to the track before; later, to its start. */
const RESTART_THRESHOLD_MS = 3_000;

interface Settings {
  volume: number;
  muted: boolean;
  normalize: boolean;
}

function loadSettings(): Settings {
  const defaults: Settings = { volume: 1, muted: false, normalize: true };
  try {
    const stored = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>;
    return {
      volume:
        typeof stored.volume === 'number' && stored.volume >= 0 && stored.volume <= 1
          ? stored.volume
          : defaults.volume,
      muted: typeof stored.muted === 'boolean' ? stored.muted : defaults.muted,
      normalize: typeof stored.normalize === 'boolean' ? stored.normalize : defaults.normalize,
    };
  } catch {
    return defaults;
  }
}

/** Opus where the browser plays it, else the AAC/MP3 fallback; the preview when that is all there is. */
export function pickRendition(track: Track, canPlay: (mime: string) => boolean) {
  const byFormat = (format: string) => track.renditions.find((r) => r.format === format);
  const opus = byFormat('opus');
  if (opus && canPlay(opus.mime)) return opus;
  return byFormat('aac') ?? byFormat('mp3') ?? byFormat('preview') ?? opus;
}

/**
 * The node's URL for this page's origin: the API client talks to the origin that served the app,
 * and same-origin audio is what Web Audio may process (and what carries the session cookie).
 */
function streamUrl(url: string, share: string | undefined): string {
  const parsed = new URL(url, window.location.origin);
  const local = new URL(parsed.pathname + parsed.search, window.location.origin);
  if (share) local.searchParams.set('share', share);
  return local.href;
}

type Mode = 'full' | 'preview';

/**
 * The player: one audio element for the whole app, its queue, loudness, system media controls and
 * playback reports. Plain TypeScript with a subscribe/snapshot pair, so React renders from it and
 * the audio never depends on a component being mounted.
 */
export class PlayerEngine {
  readonly audio: HTMLAudioElement;
  readonly #chain: AudioChain;
  readonly #reporter: PlayReporter;
  readonly #outbox: ReportOutbox;
  readonly #subscribers = new Set<() => void>();
  readonly #shares = new Map<string, string>();
  readonly #keys = new Map<string, SessionKey>();
  #session: SessionLink = { address: undefined, sessionKey: async () => undefined, contracts: undefined };
  #listener: Listener | undefined;
  #listenerAt = 0;
  #state: PlayerState;
  #mode: Mode = 'full';
  #format: string | undefined;
  /** Bumped on every load, so that answers about an earlier track are ignored. */
  #loadId = 0;
  #detach: (() => void) | undefined;

  constructor() {
    const audio = new Audio();
    audio.preload = 'auto';
    this.audio = audio;
    this.#chain = new AudioChain(audio);
    const settings = loadSettings();
    this.#state = {
      queue: [],
      index: -1,
      playing: false,
      buffering: false,
      positionMs: 0,
      durationMs: 0,
      ...settings,
      preview: undefined,
      error: undefined,
      counting: undefined,
    };
    this.#outbox = new ReportOutbox({
      storage: browserStorage(),
      now: Date.now,
      sign: (report) => this.#sign(report),
      send: (reports, options) => sendReports(reports, options),
      onRejected: (result) =>
        console.warn(
          `The node refused playback report ${result.id}: ${result.reason} ${result.message ?? ''}`,
        ),
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    });
    this.#reporter = new PlayReporter({
      now: Date.now,
      newId,
      submit: (report, share) => this.#outbox.add(report, share),
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    });
  }

  // --- the store ---------------------------------------------------------------------------------

  subscribe = (callback: () => void): (() => void) => {
    this.#subscribers.add(callback);
    return () => this.#subscribers.delete(callback);
  };

  getSnapshot = (): PlayerState => this.#state;

  #set(patch: Partial<PlayerState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const callback of this.#subscribers) callback();
  }

  get current(): Track | undefined {
    return this.#state.queue[this.#state.index];
  }

  // --- life cycle --------------------------------------------------------------------------------

  /** Starts listening to the element and the page; sends reports left from an earlier visit. */
  attach(): void {
    if (this.#detach) return;
    const audio = this.audio;
    audio.hidden = true;
    document.body.append(audio);
    const on = <K extends keyof HTMLMediaElementEventMap>(type: K, listener: () => void) => {
      audio.addEventListener(type, listener);
      return () => audio.removeEventListener(type, listener);
    };
    const position = () => audio.currentTime * 1000;
    const offs = [
      on('playing', () => {
        this.#set({ playing: true, buffering: false, error: undefined });
        if (this.#mode === 'full') this.#reporter.playing(position());
        setMediaPlaying(true);
        this.#updatePosition();
      }),
      on('play', () => this.#set({ playing: true })),
      on('pause', () => {
        this.#reporter.paused(position());
        this.#set({ playing: false, buffering: false, positionMs: Math.round(position()) });
        setMediaPlaying(false);
        this.#updatePosition();
      }),
      on('waiting', () => this.#set({ buffering: true })),
      on('timeupdate', () => {
        if (!audio.paused && !audio.seeking) this.#reporter.position(position());
        this.#set({ positionMs: Math.round(position()), counting: this.#reporter.progress() });
      }),
      on('seeking', () => {
        this.#reporter.stopped();
        this.#set({ positionMs: Math.round(position()) });
      }),
      on('seeked', () => {
        if (!audio.paused && this.#mode === 'full') this.#reporter.playing(position());
        this.#updatePosition();
      }),
      on('ratechange', () => {
        this.#reporter.rate(audio.playbackRate, position());
        this.#updatePosition();
      }),
      on('durationchange', () => {
        this.#set({ durationMs: this.#durationMs() });
        this.#updatePosition();
      }),
      on('ended', () => {
        this.#reporter.ended(position());
        this.#set({ playing: false, counting: undefined });
        this.#afterEnd();
      }),
      on('error', () => void this.#onError()),
    ];
    const onVisibility = () => {
      if (document.visibilityState !== 'hidden') return;
      this.#reporter.flushNow();
      void this.#outbox.flush();
    };
    const onPageHide = () => {
      // Kept synchronously; what is signed goes out in requests that outlive the page, the rest on the next visit.
      this.#reporter.flushNow();
      void this.#outbox.flush({ keepalive: true });
      void this.#outbox.flush();
    };
    const onOnline = () => void this.#outbox.flush();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('online', onOnline);
    setMediaActions({
      play: () => this.resume(),
      pause: () => this.pause(),
      previous: () => this.previous(),
      next: () => this.next(),
      seekTo: (ms) => this.seek(ms),
      seekBy: (delta) => this.seekBy(delta),
    });
    this.#detach = () => {
      for (const off of offs) off();
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('online', onOnline);
      setMediaActions(undefined);
      audio.pause();
      audio.remove();
    };
    void this.#outbox.flush();
  }

  detach(): void {
    this.#reporter.finish();
    this.#detach?.();
    this.#detach = undefined;
  }

  /** Who is listening. A change of account ends the current play (it was someone else's). */
  setSession(link: SessionLink): void {
    const changed = link.address?.toLowerCase() !== this.#session.address?.toLowerCase();
    this.#session = link;
    if (!changed) return;
    this.#listener = undefined;
    if (this.current && this.#mode === 'full') {
      this.#reporter.start(this.#trackFacts(), this.#listenerFor(), this.#shares.get(this.current.id));
      if (!this.audio.paused) this.#reporter.playing(this.audio.currentTime * 1000);
    }
    this.#set({ counting: this.#reporter.progress() });
  }

  // --- commands ----------------------------------------------------------------------------------

  /** Plays `track`; `queue` (which should contain it) becomes what next/previous walk through. */
  play(track: Track, queue?: Track[], options: PlayOptions = {}): void {
    const list = queue?.some((t) => t.id === track.id) ? [...queue] : [track];
    if (options.share) this.#shares.set(track.id, options.share);
    const index = list.findIndex((t) => t.id === track.id);
    this.#set({ queue: list, index });
    this.#load(list[index]!, true, options.atMs);
  }

  /** Adds tracks after the last one of the queue (playing the first when nothing is loaded). */
  enqueue(tracks: Track[]): void {
    if (tracks.length === 0) return;
    if (!this.current) {
      this.play(tracks[0]!, tracks);
      return;
    }
    this.#set({ queue: [...this.#state.queue, ...tracks] });
  }

  toggle(): void {
    if (!this.current) return;
    if (this.audio.paused) this.resume();
    else this.pause();
  }

  resume(): void {
    const track = this.current;
    if (!track) return;
    this.#chain.ensure();
    if (this.#state.error || !this.audio.src) {
      // Try again where it stopped: the node may be back, or the access may have changed.
      this.#load(track, true, this.#state.positionMs);
      return;
    }
    void this.audio.play().catch((error) => this.#onPlayRefused(error));
  }

  pause(): void {
    if (!this.audio.paused) this.audio.pause();
  }

  seek(ms: number): void {
    if (!this.current || !Number.isFinite(ms)) return;
    const duration = this.#durationMs();
    const target = Math.max(0, duration > 0 ? Math.min(ms, duration - 250) : ms);
    // The position just before the jump closes what was heard, to the millisecond.
    this.#reporter.stopped(this.audio.currentTime * 1000);
    this.audio.currentTime = target / 1000;
    this.#set({ positionMs: Math.round(target) });
  }

  seekBy(deltaMs: number): void {
    this.seek(this.audio.currentTime * 1000 + deltaMs);
  }

  next(): void {
    this.jumpTo(this.#state.index + 1);
  }

  /** To the start of the track, or to the one before when already near its start. */
  previous(): void {
    if (this.audio.currentTime * 1000 > RESTART_THRESHOLD_MS || this.#state.index <= 0) {
      this.seek(0);
      if (this.audio.paused) this.resume();
      return;
    }
    this.jumpTo(this.#state.index - 1);
  }

  jumpTo(index: number): void {
    const track = this.#state.queue[index];
    if (!track) return;
    this.#set({ index });
    this.#load(track, true);
  }

  /** Takes a track out of the queue; removing the one playing goes on with the next. */
  removeAt(index: number): void {
    const { queue, index: current } = this.#state;
    if (!queue[index]) return;
    const rest = queue.filter((_, i) => i !== index);
    if (index !== current) {
      this.#set({ queue: rest, index: index < current ? current - 1 : current });
      return;
    }
    if (rest.length === 0) {
      this.stop();
      return;
    }
    const wasPlaying = !this.audio.paused;
    const nextIndex = Math.min(index, rest.length - 1);
    this.#set({ queue: rest, index: nextIndex });
    this.#load(rest[nextIndex]!, wasPlaying);
  }

  /** Empties the queue and stops: the bar goes away. */
  stop(): void {
    this.#reporter.finish();
    this.#loadId++;
    this.audio.pause();
    this.audio.removeAttribute('src');
    this.audio.load();
    this.#set({
      queue: [],
      index: -1,
      playing: false,
      buffering: false,
      positionMs: 0,
      durationMs: 0,
      preview: undefined,
      error: undefined,
      counting: undefined,
    });
    setMediaMetadata(undefined, '', false);
    setMediaPlaying(undefined);
  }

  setVolume(volume: number): void {
    const value = Math.min(1, Math.max(0, volume));
    this.#saveSettings({ volume: value, muted: value === 0 ? this.#state.muted : false });
  }

  toggleMute(): void {
    this.#saveSettings({ muted: !this.#state.muted });
  }

  setNormalize(normalize: boolean): void {
    this.#saveSettings({ normalize });
  }

  // --- internals ---------------------------------------------------------------------------------

  #saveSettings(patch: Partial<Settings>): void {
    this.#set(patch);
    const { volume, muted, normalize } = this.#state;
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify({ volume, muted, normalize }));
    } catch {
      // Not kept across visits; it still applies now.
    }
    this.#applyGain();
  }

  #applyGain(): void {
    const { volume, muted, normalize } = this.#state;
    this.#chain.set(outputGain({ volume, muted, normalize, gainDb: this.current?.loudness?.gainDb }));
  }

  #durationMs(): number {
    const element = this.audio.duration;
    if (Number.isFinite(element) && element > 0) return Math.round(element * 1000);
    return this.#mode === 'full' ? (this.current?.durationMs ?? 0) : 0;
  }

  #trackFacts() {
    const track = this.current;
    return track && this.#mode === 'full' ? { id: track.id, durationMs: track.durationMs } : undefined;
  }

  /** The listener for reports: signed in, with a session key (asked for once per account and load). */
  #listenerFor(): Listener | undefined {
    const { address } = this.#session;
    if (!address) return undefined;
    if (this.#listener?.address === address && Date.now() - this.#listenerAt < LISTENER_REFRESH_MS) {
      return this.#listener;
    }
    const session = this.#session;
    const listener: Listener = {
      address,
      publicKey: session.sessionKey().then(
        (key) => {
          if (key) this.#keys.set(key.publicKey, key);
          else if (this.#listener === listener) this.#listener = undefined; // ask again next time
          return key?.publicKey;
        },
        () => {
          if (this.#listener === listener) this.#listener = undefined;
          return undefined;
        },
      ),
    };
    this.#listener = listener;
    this.#listenerAt = Date.now();
    return listener;
  }

  async #sign(report: PlaybackReport | Omit<PlaybackReport, 'signature'>): Promise<string | null> {
    const key =
      this.#keys.get(report.sessionKey) ??
      (await loadSessionKey(report.listener).then((stored) => stored?.key));
    if (!key || key.publicKey !== report.sessionKey) return null;
    return (await signReport(key, report)).signature;
  }

  /**
   * Loads a track into the element and, with `autoplay`, plays it at once: the element starts
   * fetching and playing in the same task as the click, before anything slow.
   */
  #load(track: Track, autoplay: boolean, atMs?: number, mode?: Mode, reason?: string): void {
    const loadId = ++this.#loadId;
    const share = this.#shares.get(track.id);
    const address = this.#session.address;
    const chosen: Mode = mode ?? (playsInFullWithoutCheck(track, address) || address ? 'full' : 'preview');
    const rendition =
      chosen === 'full'
        ? pickRendition(track, (mime) => this.audio.canPlayType(mime) !== '')
        : track.renditions.find((r) => r.format === 'preview');
    // What played of the track being left, to the millisecond, before its play is closed.
    if (!this.audio.paused) this.#reporter.stopped(this.audio.currentTime * 1000);
    this.#mode = chosen;
    this.#reporter.start(
      chosen === 'full' ? { id: track.id, durationMs: track.durationMs } : undefined,
      this.#listenerFor(),
      share,
    );
    this.#set({
      preview:
        chosen === 'preview'
          ? { reason: reason ?? previewReason(track, address, this.#session.contracts) }
          : undefined,
      error: undefined,
      positionMs: atMs ?? 0,
      durationMs: chosen === 'full' ? track.durationMs : 0,
      buffering: autoplay,
      counting: this.#reporter.progress(),
    });
    setMediaMetadata(track, track.artistName ?? track.owner, chosen === 'preview');
    if (!rendition) {
      this.audio.pause();
      this.#set({
        playing: false,
        buffering: false,
        error:
          track.state === 'ready'
            ? 'This track has no audio you can play here.'
            : 'This track is still being processed; try again in a moment.',
      });
      return;
    }
    this.#format = rendition.format;
    if (autoplay) this.#chain.ensure();
    this.#applyGain();
    this.audio.src = streamUrl(rendition.url, share);
    if (atMs) this.audio.currentTime = atMs / 1000;
    if (autoplay) {
      void this.audio.play().catch((error) => {
        if (loadId === this.#loadId) this.#onPlayRefused(error);
      });
    } else {
      this.#set({ playing: false, buffering: false });
    }
  }

  #onPlayRefused(error: unknown): void {
    // AbortError: another load replaced this one. A media error is handled by the 'error' event.
    if (error instanceof DOMException && error.name === 'AbortError') return;
    if (this.audio.error) return;
    this.#set({ playing: false, buffering: false });
    if (error instanceof DOMException && error.name === 'NotAllowedError') {
      this.#set({ error: 'Your browser blocked playback until you interact with the page: press play.' });
    }
  }

  /**
   * The element could not load or play the audio. The node is asked why (a byte of the same
   * stream): a token gate the listener does not pass plays the preview; a format this browser
   * could not decode after all falls back to AAC; anything else is shown with the node's words.
   */
  async #onError(): Promise<void> {
    const track = this.current;
    if (!track || !this.audio.error) return;
    const loadId = this.#loadId;
    const at = Math.round(this.audio.currentTime * 1000);
    const wasPlaying = this.#state.playing || this.#state.buffering;
    const format = this.#format as 'opus' | 'aac' | 'preview' | 'original' | undefined;
    this.#reporter.stopped();
    this.#set({ playing: false, buffering: false });
    let status = 0;
    let problem: string | undefined;
    try {
      const answer = await api.GET('/api/v1/tracks/{id}/stream', {
        params: {
          path: { id: track.id },
          query: {
            format: format ?? 'opus',
            ...(this.#shares.has(track.id) && { share: this.#shares.get(track.id) }),
          },
        },
        headers: { Range: 'bytes=0-0' },
        parseAs: 'stream',
      });
      status = answer.response.status;
      if (answer.error !== undefined) {
        const body = answer.error as { error?: { code?: string; message?: string } } | undefined;
        problem = errorMessage(new FairstreamApiError(status, body?.error, `HTTP ${status}`));
      } else {
        await answer.data?.cancel().catch(() => {});
      }
    } catch (error) {
      problem = errorMessage(error);
    }
    if (loadId !== this.#loadId) return;
    if (status === 403 && track.access.kind === 'token' && this.#mode === 'full') {
      const reason = previewReason(track, this.#session.address, this.#session.contracts);
      this.#load(track, wasPlaying, undefined, 'preview', reason);
      return;
    }
    if (!problem && format === 'opus' && track.renditions.some((r) => r.format === 'aac')) {
      // The node serves it, so this browser could not decode Opus after all.
      this.audio.src = streamUrl(
        track.renditions.find((r) => r.format === 'aac')!.url,
        this.#shares.get(track.id),
      );
      this.#format = 'aac';
      if (at) this.audio.currentTime = at / 1000;
      if (wasPlaying) void this.audio.play().catch((error) => this.#onPlayRefused(error));
      return;
    }
    this.#set({
      error: problem
        ? `This track could not be played: ${problem}`
        : 'The audio could not be played in this browser. Press play to try again.',
    });
  }

  #afterEnd(): void {
    const { index, queue } = this.#state;
    if (index + 1 < queue.length) this.jumpTo(index + 1);
    else setMediaPlaying(false);
  }

  #updatePosition(): void {
    setMediaPosition(this.audio.currentTime * 1000, this.#durationMs(), this.audio.playbackRate);
  }
}

/** A report or play id: a UUID where the page is a secure context, else 32 random hex digits. */
function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** localStorage, or a stand-in for this visit where the browser refuses it (some private modes, sandboxes). */
function browserStorage(): Storage {
  try {
    const storage = window.localStorage;
    storage.getItem(SETTINGS_KEY);
    return storage;
  } catch {
    const map = new Map<string, string>();
    return {
      get length() {
        return map.size;
      },
      key: (i) => [...map.keys()][i] ?? null,
      getItem: (key) => map.get(key) ?? null,
      setItem: (key, value) => void map.set(key, String(value)),
      removeItem: (key) => void map.delete(key),
      clear: () => map.clear(),
    };
  }
}

/** POST /plays through the API client; `keepalive` (or a hidden page) lets the request outlive the page. */
async function sendReports(
  reports: PlaybackReport[],
  options: { share: string | undefined; keepalive: boolean },
): Promise<Delivery> {
  const answer = await api.POST('/api/v1/plays', {
    params: { query: options.share ? { share: options.share } : {} },
    body: { reports },
    keepalive: options.keepalive || document.visibilityState === 'hidden',
  });
  const status = answer.response.status;
  if (status >= 500 || status === 429 || status === 408) return { retry: `HTTP ${status}` };
  if (answer.error !== undefined || !answer.data) {
    // The request as a whole was refused: resending it as it is would get the same answer.
    const body = answer.error as { error?: { code?: string; message?: string } } | undefined;
    return {
      results: reports.map((report) => ({
        id: report.id,
        status: 'rejected' as const,
        reason: body?.error?.code ?? `http_${status}`,
        ...(body?.error?.message && { message: body.error.message }),
      })),
    };
  }
  return { results: answer.data.results };
}
