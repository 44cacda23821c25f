/**
 * THE counting rule: when a play earns money. The API publishes COUNTING_RULE (GET /rules) and the
 * node, the CLI and the browser all judge with `judgePlay`, so a listener's player can show "this
 * play will count" with the same answer the node reaches.
 *
 * Two stages decide a play's fate:
 * - Ingestion judges single reports as they arrive and drops the bad ones with an
 *   IngestionReason: 'replayed' (a report id seen before), 'forged' (the signature does not verify
 *   over reportSigningBytes), 'future_dated' (endedAt more than maxFutureSkewMs ahead of the node's
 *   clock), 'no_access' (the track is token-gated and the listener's wallet does not hold the
 *   gate's balance), 'unknown_session_key' (no live delegation of that key by that listener). Those
 *   need a clock, a database, a key or the chain, so they are not decided here. A hidden track the
 *   listener may not see is refused as an unknown track, so that its existence does not leak.
 * - `judgePlay` then judges a whole play (every accepted report with its playId) with a PlayReason.
 */
import { MAX_REPORT_SEGMENTS, MAX_REPORT_SPAN_MS, type PlaybackReport } from './report.ts';
import { SESSION_KEY_MAX_LIFETIME_MS } from './session-key.ts';

export interface CountingRule {
  readonly version: number;
  readonly minHeardMs: number;
  readonly minHeardFraction: number;
  readonly dailyCapPerListenerAndTrack: number;
  readonly dayBoundary: 'UTC';
  readonly realTimeToleranceMs: number;
  readonly maxFutureSkewMs: number;
  readonly maxReportSegments: number;
  readonly maxReportSpanMs: number;
  readonly sessionKeyMaxLifetimeMs: number;
}

export const COUNTING_RULE: CountingRule = Object.freeze({
  version: 1,
  /** A play counts after 30 s of distinct audio... */
  minHeardMs: 30_000,
  /** ...or half the track when that is shorter, so a 40-second interlude can count too. */
  minHeardFraction: 0.5,
  /** Counted plays per listener and track per UTC day; more are recorded with 'daily_cap'. */
  dailyCapPerListenerAndTrack: 10,
  /** Days for the cap are UTC days of the play's first startedAt, the same for every time zone. */
  dayBoundary: 'UTC',
  /**
   * Distinct audio may exceed the wall time of the play by this much: clocks are read at slightly
   * different moments than positions and players round. Far below any seek-ahead trick (30 s).
   */
  realTimeToleranceMs: 2_000,
  /** Ingestion refuses a report whose endedAt is this far ahead of the node's clock ('future_dated'). */
  maxFutureSkewMs: 30_000,
  /** Segments per report, and the wall time one report may span (see report.ts). */
  maxReportSegments: MAX_REPORT_SEGMENTS,
  maxReportSpanMs: MAX_REPORT_SPAN_MS,
  /** How long a wallet may delegate a session key for (see session-key.ts). */
  sessionKeyMaxLifetimeMs: SESSION_KEY_MAX_LIFETIME_MS,
});

/** Why `judgePlay` did not count a play, in the order they are checked (the first that applies wins). */
export const PLAY_REASONS = [
  'inconsistent',
  'anonymous',
  'owner_or_collaborator',
  'faster_than_real_time',
  'too_short',
  'daily_cap',
] as const;
export type PlayReason = (typeof PLAY_REASONS)[number];

/** Why ingestion refused a report (decided by the node, not here; see the module comment). */
export const INGESTION_REASONS = [
  'replayed',
  'forged',
  'future_dated',
  'no_access',
  'unknown_session_key',
] as const;
export type IngestionReason = (typeof INGESTION_REASONS)[number];

export type NotCountedReason = PlayReason | IngestionReason;

/** What each reason means, in words a listener or an artist can act on (published with the rule). */
export const NOT_COUNTED_REASONS: Readonly<Record<NotCountedReason, string>> = Object.freeze({
  inconsistent: 'The reports of this play disagree (different track, listener or play id) or there are none.',
  anonymous: 'Anonymous plays are shown as plays but earn nothing: sign in for your plays to count.',
  owner_or_collaborator: "Plays of a track by its owner or collaborators don't count.",
  faster_than_real_time: 'More audio was reported than could have played in the time the play took.',
  too_short: 'Less than min(30 s, half the track) of distinct audio was heard.',
  daily_cap: 'This listener already had the daily maximum of counted plays of this track (UTC day).',
  replayed: 'A report with this id was already received.',
  forged: "The report's signature does not verify with its session key.",
  future_dated: "The report ends more than 30 s after the node's clock.",
  no_access: "The track is token-gated and the listener's wallet does not hold the required balance.",
  unknown_session_key: 'The session key was not delegated by this listener, or its delegation expired.',
});

/** The facts of a report that judging needs (a full PlaybackReport will do). */
export type PlayReportFacts = Pick<
  PlaybackReport,
  'playId' | 'trackId' | 'listener' | 'segments' | 'startedAt' | 'endedAt'
>;

export interface TrackFacts {
  /** Length of the track's audio, whole ms, > 0. */
  durationMs: number;
  /** Owner address (any case). */
  owner: string;
  /** Split recipients and other collaborators (any case). */
  collaborators: readonly string[];
}

export interface JudgePlayInput {
  /** Every accepted report of ONE play (same playId), in any order. */
  reports: readonly PlayReportFacts[];
  track: TrackFacts;
  /** The listener is not signed in (no wallet-delegated identity that can be paid for). */
  anonymous: boolean;
  /**
   * Plays of this listener and track already counted on the UTC day of this play's first startedAt
   * (`utcDayOf(playStartedAt(reports))`), not including this one.
   */
  countedToday: number;
}

export interface PlayVerdict {
  verdict: 'counted' | 'not_counted';
  reason: PlayReason | null;
  /** Distinct audio heard: length of the union of all segments, clipped to [0, durationMs). */
  heardMs: number;
  /** max(endedAt) − min(startedAt) over the reports; 0 when there are none. */
  wallMs: number;
}

/**
 * The least distinct audio that counts for a track of this length: min(minHeardMs, ⌈fraction ×
 * duration⌉). Rounded up because heard time is whole ms, so `heard >= this` is the same as
 * `heard >= fraction × duration`.
 */
export function requiredHeardMs(durationMs: number, rule: CountingRule = COUNTING_RULE): number {
  return Math.min(rule.minHeardMs, Math.ceil(rule.minHeardFraction * durationMs));
}

/**
 * Length of the union of [start, end) segments after clipping them to [0, durationMs): the distinct
 * audio heard, so replaying the chorus ten times counts it once. Never more than durationMs.
 */
export function heardMsOf(segments: Iterable<readonly [number, number]>, durationMs: number): number {
  const clipped: [number, number][] = [];
  for (const [start, end] of segments) {
    const from = Math.max(0, start);
    const to = Math.min(durationMs, end);
    if (from < to) clipped.push([from, to]);
  }
  clipped.sort((a, b) => a[0] - b[0]);
  let heard = 0;
  let coveredTo = 0;
  for (const [from, to] of clipped) {
    if (to <= coveredTo) continue;
    heard += to - Math.max(from, coveredTo);
    coveredTo = to;
  }
  return heard;
}

/** When a play started: the earliest startedAt of its reports (the day of the daily cap, the plays leaf). */
export function playStartedAt(reports: readonly Pick<PlayReportFacts, 'startedAt'>[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const report of reports) first = Math.min(first, report.startedAt);
  if (!Number.isFinite(first)) throw new RangeError('A play has at least one report');
  return first;
}

/** The UTC day of a Unix ms time as YYYY-MM-DD: the key of the daily cap. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Judges one play against the counting rule. Counted iff all of:
 * heardMs >= requiredHeardMs(durationMs); heardMs <= wallMs + realTimeToleranceMs; the listener is
 * neither the owner nor a collaborator; the listener is signed in; countedToday < the daily cap.
 * When several fail, the reason is the first in PLAY_REASONS: what the play IS (inconsistent,
 * anonymous, the artist's own) before how it was played, and the daily cap last because it only
 * matters for a play that would otherwise count.
 */
export function judgePlay(input: JudgePlayInput, rule: CountingRule = COUNTING_RULE): PlayVerdict {
  const { reports, track, anonymous, countedToday } = input;
  if (!Number.isSafeInteger(track.durationMs) || track.durationMs <= 0) {
    // A track without a duration would make every play count with nothing heard: a caller bug.
    throw new RangeError(`A track's durationMs must be a positive whole number, not ${track.durationMs}`);
  }
  const first = reports[0];
  let startedAt = Number.POSITIVE_INFINITY;
  let endedAt = Number.NEGATIVE_INFINITY;
  let consistent = first !== undefined;
  for (const report of reports) {
    startedAt = Math.min(startedAt, report.startedAt);
    endedAt = Math.max(endedAt, report.endedAt);
    if (
      report.playId !== first?.playId ||
      report.trackId !== first.trackId ||
      report.listener.toLowerCase() !== first.listener.toLowerCase() ||
      !(report.endedAt >= report.startedAt)
    ) {
      consistent = false;
    }
  }
  const heardMs = heardMsOf(
    (function* () {
      for (const report of reports) yield* report.segments;
    })(),
    track.durationMs,
  );
  const wallMs = first === undefined ? 0 : Math.max(0, endedAt - startedAt);
  const notCounted = (reason: PlayReason): PlayVerdict => ({
    verdict: 'not_counted',
    reason,
    heardMs,
    wallMs,
  });

  if (!consistent || first === undefined) return notCounted('inconsistent');
  if (anonymous) return notCounted('anonymous');
  const listener = first.listener.toLowerCase();
  if (
    track.owner.toLowerCase() === listener ||
    track.collaborators.some((collaborator) => collaborator.toLowerCase() === listener)
  ) {
    return notCounted('owner_or_collaborator');
  }
  if (heardMs > wallMs + rule.realTimeToleranceMs) return notCounted('faster_than_real_time');
  if (heardMs < requiredHeardMs(track.durationMs, rule)) return notCounted('too_short');
  if (countedToday >= rule.dailyCapPerListenerAndTrack) return notCounted('daily_cap');
  return { verdict: 'counted', reason: null, heardMs, wallMs };
}
