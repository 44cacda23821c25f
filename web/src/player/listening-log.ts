/**
 * What a listener actually heard of one play, as the counting rule reads it: segments of track
 * positions [start, end) in ms, and the wall-clock period they were heard in. Pure (time is passed
 * in), so every case of seeking, pausing, replaying and changing speed is unit-tested.
 *
 * The rule counts a play when its distinct audio reaches min(30 s, half the track) and is no more
 * than the play's wall time (+ 2 s). So a segment is never credited more audio than the wall time
 * it took: at 2× speed a segment of 20 s of positions heard in 10 s is reported as its first 10 s.
 * That is still true (those positions were heard) and can never make the play look faster than real
 * time, which would make the node refuse the whole play.
 */

export type Segment = [start: number, end: number];

/** Everything heard since the previous take: one playback report's worth. */
export interface Take {
  /** Sorted, overlapping and touching segments merged. */
  segments: Segment[];
  /** Wall-clock ms when the first audio of this take started playing. */
  startedAt: number;
  /** Wall-clock ms when the take was made. */
  endedAt: number;
}

/** A forward step larger than real time allows (at the current rate) by this much is a seek, not playback. */
const JUMP_TOLERANCE_MS = 1000;
/** Positions read a little behind the last one are decoder jitter, not a seek back. */
const BACKWARD_JITTER_MS = 250;

interface OpenSegment {
  start: number;
  /** Wall ms when `start` was playing. */
  startedAt: number;
  /** Furthest position read so far in this segment, and when it was read. */
  last: number;
  lastAt: number;
}

export class ListeningLog {
  readonly durationMs: number;
  #rate = 1;
  #open: OpenSegment | undefined;
  /** Closed since the last take. */
  #pending: Segment[] = [];
  #pendingStartedAt: number | undefined;
  /** Every credited segment of the play (all takes), for the distinct audio heard so far. */
  #all: Segment[] = [];

  constructor(durationMs: number) {
    if (!(durationMs > 0)) throw new RangeError(`A track's duration must be positive, not ${durationMs}`);
    this.durationMs = Math.round(durationMs);
  }

  /** Whether audio is advancing (a segment is open). */
  get open(): boolean {
    return this.#open !== undefined;
  }

  /** Audio started (or went on) playing at `positionMs`. */
  begin(positionMs: number, now: number): void {
    if (this.#open) {
      this.observe(positionMs, now);
      return;
    }
    const at = this.#clamp(positionMs);
    this.#open = { start: at, startedAt: now, last: at, lastAt: now };
  }

  /** A reading of the position while playing; a jump (a seek nobody announced) starts a new segment. */
  observe(positionMs: number, now: number): void {
    const open = this.#open;
    if (!open) return;
    const at = this.#clamp(positionMs);
    const elapsed = Math.max(0, now - open.lastAt);
    const forwardLimit = open.last + elapsed * Math.max(this.#rate, 1) + JUMP_TOLERANCE_MS;
    if (at < open.last - BACKWARD_JITTER_MS || at > forwardLimit) {
      this.#close();
      this.#open = { start: at, startedAt: now, last: at, lastAt: now };
      return;
    }
    if (at >= open.last) {
      open.last = at;
      open.lastAt = now;
    }
  }

  /**
   * Audio stopped advancing (pause, a seek starting, the end, an error). With a position, that
   * reading comes first (the player reads it just before seeking, so nothing heard is lost).
   */
  end(now: number, positionMs?: number): void {
    if (positionMs !== undefined) this.observe(positionMs, now);
    this.#close();
  }

  /** The playback rate changed: what was heard at the old rate is closed, the rest goes on at the new one. */
  setRate(rate: number, positionMs: number, now: number): void {
    const playing = this.#open !== undefined;
    if (playing) this.end(now, positionMs);
    this.#rate = rate > 0 && Number.isFinite(rate) ? rate : 1;
    if (playing) this.begin(positionMs, now);
  }

  /** Segments waiting for the next take (the open one counts as one). */
  get pendingSegments(): number {
    return this.#pending.length + (this.#open ? 1 : 0);
  }

  /**
   * What was heard since the previous take, or undefined when nothing was. An open segment is cut
   * at its last reading and goes on from there, so takes never overlap in audio or in wall time.
   */
  take(now: number): Take | undefined {
    const open = this.#open;
    if (open) {
      this.#close();
      this.#open = { start: open.last, startedAt: open.lastAt, last: open.last, lastAt: open.lastAt };
    }
    if (this.#pending.length === 0 || this.#pendingStartedAt === undefined) return undefined;
    const take = {
      segments: mergeSegments(this.#pending),
      startedAt: this.#pendingStartedAt,
      endedAt: Math.max(now, this.#pendingStartedAt),
    };
    this.#pending = [];
    this.#pendingStartedAt = undefined;
    return take;
  }

  /** Distinct audio heard in the whole play so far (taken or not), as the rule measures it. */
  heardMs(): number {
    const segments = [...this.#all];
    const open = this.#open && this.#credited(this.#open);
    if (open) segments.push(open);
    return mergeSegments(segments).reduce((sum, [start, end]) => sum + end - start, 0);
  }

  #clamp(positionMs: number): number {
    if (!Number.isFinite(positionMs)) return 0;
    return Math.min(this.durationMs, Math.max(0, Math.round(positionMs)));
  }

  /** The open segment as credited: never more audio than the wall time it took. */
  #credited(open: OpenSegment): Segment | undefined {
    const end = Math.min(open.last, open.start + Math.max(0, open.lastAt - open.startedAt));
    return end > open.start ? [open.start, end] : undefined;
  }

  #close(): void {
    const open = this.#open;
    this.#open = undefined;
    if (!open) return;
    const segment = this.#credited(open);
    if (!segment) return;
    this.#pending.push(segment);
    this.#all.push(segment);
    this.#pendingStartedAt = Math.min(this.#pendingStartedAt ?? open.startedAt, open.startedAt);
  }
}

/** Sorted by start, overlapping or touching segments joined: the same audio, fewer pairs. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const sorted = segments.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  const merged: Segment[] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
