import { requiredHeardMs, type UnsignedPlaybackReport } from '@fairstream/protocol';
import { ListeningLog } from './listening-log.ts';

/**
 * Turns what the audio element does into signed playback reports, as the CLI's listener does: one
 * play id per start of a track, several disjoint reports per play (each a new id, each final once
 * cut), each covering what was heard since the previous one. Reports are cut when the track ends or
 * is switched, a few seconds into a pause, when the page is hidden, and every 15 s while playing
 * (the node treats a play not reported for 60 s as finished).
 */

/** Who is listening: the signed-in wallet and the public half of its delegated session key. */
export interface Listener {
  address: string;
  /** Resolves to the session key's public key, or undefined when there is none (nothing is reported). */
  publicKey: Promise<string | undefined>;
}

export interface ReporterDeps {
  now(): number;
  newId(): string;
  /** Keeps the report (synchronously) and sends it. */
  submit(report: UnsignedPlaybackReport, share: string | undefined): void;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REPORT_EVERY_MS = 15_000;
/** A pause this long gets its report: the listener may be gone. */
export const PAUSE_REPORT_MS = 5_000;
/**
 * Resuming after a pause this long starts a new play when the old one has not yet been heard long
 * enough to count: the node may have judged it finished (it does so 60 s after its last report),
 * and reports of a judged play are not looked at again.
 */
export const RESUME_AS_NEW_PLAY_MS = 45_000;
/** Cut before a report would carry more segments than the node takes (256). */
const MAX_PENDING_SEGMENTS = 200;

interface Play {
  playId: string;
  trackId: string;
  durationMs: number;
  listener: string;
  publicKey: string | undefined;
  share: string | undefined;
  log: ListeningLog;
  lastCutAt: number;
  pausedAt: number | undefined;
  pauseTimer: unknown;
  /** False once it is known that nothing of this play can be reported (no session key). */
  reportable: boolean;
  /** Closed before its key was known: reported as soon as it is. */
  finished: boolean;
}

export interface TrackFacts {
  id: string;
  durationMs: number;
}

export class PlayReporter {
  readonly #deps: ReporterDeps;
  #play: Play | undefined;
  #track: TrackFacts | undefined;
  #listener: Listener | undefined;
  #share: string | undefined;
  /** Keys already resolved, so that the plays after the first one are reportable at once. */
  readonly #keys = new WeakMap<Listener, string | null>();

  constructor(deps: ReporterDeps) {
    this.#deps = deps;
  }

  /** The play being followed, for display and tests. */
  get playId(): string | undefined {
    return this.#play?.playId;
  }

  /** Distinct audio heard in the current play, and what the rule needs for it to count. */
  progress(): { heardMs: number; requiredMs: number } | undefined {
    const play = this.#play;
    if (!play) return undefined;
    return { heardMs: play.log.heardMs(), requiredMs: requiredHeardMs(play.durationMs) };
  }

  /**
   * A new start of `track` (from the top, or another track): the previous play is reported and
   * closed. Without a listener (not signed in) or without a duration nothing is followed.
   */
  start(track: TrackFacts | undefined, listener: Listener | undefined, share?: string): void {
    this.finish();
    this.#track = track;
    this.#listener = listener;
    this.#share = share;
    this.#open();
  }

  /** The current play is over (switched, stopped, or the audio became a preview): report what is left. */
  finish(): void {
    const play = this.#play;
    if (!play) return;
    play.log.end(this.#deps.now());
    this.#cut(play);
    this.#deps.clearTimeout(play.pauseTimer);
    play.finished = true;
    this.#play = undefined;
    this.#track = undefined;
  }

  /** Audio is playing at `positionMs` (the element's `playing`, or a seek landing while playing). */
  playing(positionMs: number): void {
    let play = this.#play;
    const now = this.#deps.now();
    if (!play) {
      // A replay after the end, or after a long pause that closed the play.
      if (!this.#track) return;
      play = this.#open();
      if (!play) return;
    }
    this.#deps.clearTimeout(play.pauseTimer);
    if (
      play.pausedAt !== undefined &&
      now - play.pausedAt > RESUME_AS_NEW_PLAY_MS &&
      play.log.heardMs() < requiredHeardMs(play.durationMs)
    ) {
      const track = this.#track;
      this.finish();
      this.#track = track;
      play = this.#open();
      if (!play) return;
    }
    play.pausedAt = undefined;
    play.log.begin(positionMs, now);
  }

  /** A position reading while playing (timeupdate); reports every REPORT_EVERY_MS. */
  position(positionMs: number): void {
    const play = this.#play;
    if (!play) return;
    const now = this.#deps.now();
    play.log.observe(positionMs, now);
    if (now - play.lastCutAt >= REPORT_EVERY_MS || play.log.pendingSegments >= MAX_PENDING_SEGMENTS) {
      this.#cut();
    }
  }

  /** Audio stopped advancing (pause, a seek starting, stalled for good); the position just before, if known. */
  stopped(positionMs?: number): void {
    this.#play?.log.end(this.#deps.now(), positionMs);
  }

  paused(positionMs: number): void {
    const play = this.#play;
    if (!play) return;
    this.stopped(positionMs);
    play.pausedAt = this.#deps.now();
    this.#deps.clearTimeout(play.pauseTimer);
    play.pauseTimer = this.#deps.setTimeout(() => this.#cut(play), PAUSE_REPORT_MS);
  }

  rate(rate: number, positionMs: number): void {
    this.#play?.log.setRate(rate, positionMs, this.#deps.now());
  }

  /** The track played to its end: the play is complete. A replay is a new play. */
  ended(positionMs: number): void {
    const track = this.#track;
    this.stopped(positionMs);
    this.finish();
    this.#track = track;
  }

  /** The page is hidden or closing: report what was heard now (the caller sends it with keepalive). */
  flushNow(): void {
    this.#cut();
  }

  #open(): Play | undefined {
    const track = this.#track;
    const listener = this.#listener;
    if (!track || !listener || !(track.durationMs > 0)) return undefined;
    const play: Play = {
      playId: this.#deps.newId(),
      trackId: track.id,
      durationMs: track.durationMs,
      listener: listener.address.toLowerCase(),
      publicKey: undefined,
      share: this.#share,
      log: new ListeningLog(track.durationMs),
      lastCutAt: this.#deps.now(),
      pausedAt: undefined,
      pauseTimer: undefined,
      reportable: true,
      finished: false,
    };
    this.#play = play;
    const known = this.#keys.get(listener);
    if (known !== undefined) {
      play.publicKey = known ?? undefined;
      play.reportable = known !== null;
      return play;
    }
    listener.publicKey.then(
      (key) => {
        this.#keys.set(listener, key ?? null);
        if (key) play.publicKey = key;
        else play.reportable = false;
        if (play.finished) this.#cut(play);
      },
      () => {
        play.reportable = false;
      },
    );
    return play;
  }

  #cut(play = this.#play): void {
    if (!play) return;
    const now = this.#deps.now();
    if (!play.reportable) {
      play.log.take(now); // nothing will ever sign it: keep no evidence around
      return;
    }
    // Until the key is known the log keeps everything; the next cut takes it all.
    if (!play.publicKey) return;
    play.lastCutAt = now;
    const take = play.log.take(now);
    if (!take) return;
    this.#deps.submit(
      {
        id: this.#deps.newId(),
        playId: play.playId,
        trackId: play.trackId,
        listener: play.listener,
        sessionKey: play.publicKey,
        segments: take.segments,
        startedAt: take.startedAt,
        endedAt: take.endedAt,
        source: 'web',
        appId: null,
      },
      play.share,
    );
  }
}
