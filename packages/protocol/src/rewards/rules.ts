/**
 * Fan rewards (challenges): published rules that pay fans FAIR through the same epoch settlement and
 * cumulative Merkle payouts as everything else. Pure data plus the small helpers their evaluation
 * (evaluate.ts) and their publication (GET /api/v1/rules) share.
 *
 * Funding: FAN_REWARDS_POLICY.sharePpm of each epoch's FAIR rewards (what the RewardsEmitter put in
 * the distributor and no earlier epoch promised) is the epoch's fan-reward budget. Awards spend at
 * most that; whatever they do not spend goes to the artists in the same epoch (the user-centric FAIR
 * rewards), so an epoch's FAIR still adds up exactly to what was available.
 *
 * Who can earn: an account earns at a settlement in which it has counted plays (an active listener
 * of that epoch), and never while it matches the bot pattern (bot.ts). Every rule is evaluated from
 * the ledger's published data (counted plays of published epochs) and, for the social rules, from
 * facts the node publishes with each award as its evidence.
 */
import { utcDayOf } from '../plays/counting-rule.ts';

/** One FAIR in base units (18 decimals). */
const FAIR = 10n ** 18n;

export const FAN_REWARD_RULE_IDS = [
  'listening_streak',
  'first_listener',
  'tastemaker',
  'first_playlist',
  'complete_profile',
] as const;
export type FanRewardRuleId = (typeof FAN_REWARD_RULE_IDS)[number];

/**
 * How often an account can earn a rule: 'once' ever; once per ISO 'week' (Monday to Sunday, UTC);
 * once per 'track'. The period is part of the award's unique key (account, rule, period).
 */
export type FanRewardPeriodKind = 'once' | 'week' | 'track';

export interface FanRewardRule {
  readonly id: FanRewardRuleId;
  readonly title: string;
  readonly description: string;
  /** FAIR base units per award. */
  readonly amount: bigint;
  readonly period: FanRewardPeriodKind;
  /** At most this many awards of the rule per epoch... */
  readonly maxAwardsPerEpoch: number;
  /** ...and at most this much FAIR of it per epoch. */
  readonly maxAmountPerEpoch: bigint;
  /**
   * What `fairstream verify` can recompute: 'plays' rules from the published counted plays alone;
   * 'node' rules rest on facts the node publishes as the award's evidence (a repost's time, a
   * playlist, a profile), which verify checks for consistency (see FAN_REWARDS_VERIFIABILITY).
   */
  readonly evidence: 'plays' | 'node';
}

export const FAN_REWARDS_POLICY = Object.freeze({
  /** Bumped whenever a rule or a number here changes meaning; published with each epoch's awards. */
  version: 1,
  /** Parts per million of each epoch's FAIR rewards reserved for fan rewards (10%). */
  sharePpm: 100_000,
  /** Listening streak: counted plays on this many consecutive UTC days. */
  streakDays: 7,
  /** First-listener milestone: a track reaching this many counted plays... */
  milestonePlays: 100,
  /** ...rewards this many of its first distinct counted listeners. */
  firstListeners: 10,
  /** A track enters trending when one UTC day's counted plays come from this many distinct listeners. */
  trendingListeners: 10,
  /** First playlist: a public playlist with at least this many tracks. */
  playlistMinTracks: 3,
});

/**
 * The rules, in the order candidates are served when a cap or the budget runs out (then by period,
 * then by account address). A candidate held back by a cap is not lost: it is considered again at
 * the next settlement in which the account has counted plays (every rule is a state, not an event).
 */
export const FAN_REWARD_RULES: readonly FanRewardRule[] = Object.freeze([
  {
    id: 'listening_streak',
    title: 'Listening streak',
    description:
      'Counted plays on 7 consecutive UTC days. At most once per ISO week (Monday to Sunday, UTC): the week ' +
      'of the seventh day. A streak that goes on earns again in each later week it reaches.',
    amount: 5n * FAIR,
    period: 'week',
    maxAwardsPerEpoch: 2_000,
    maxAmountPerEpoch: 10_000n * FAIR,
    evidence: 'plays',
  },
  {
    id: 'first_listener',
    title: 'First listener',
    description:
      'One of the first 10 distinct counted listeners of a track (by the time of their first counted play of it) ' +
      'that later reaches 100 counted plays. Once per track.',
    amount: 10n * FAIR,
    period: 'track',
    maxAwardsPerEpoch: 500,
    maxAmountPerEpoch: 5_000n * FAIR,
    evidence: 'plays',
  },
  {
    id: 'tastemaker',
    title: 'Tastemaker',
    description:
      'Reposted a track strictly before it entered trending (the first UTC day on which its counted plays came ' +
      'from 10 distinct listeners, at the first counted play of the tenth), and has a counted play of it. ' +
      'Not for the track’s own recipients. Once per track.',
    amount: 10n * FAIR,
    period: 'track',
    maxAwardsPerEpoch: 500,
    maxAmountPerEpoch: 5_000n * FAIR,
    evidence: 'node',
  },
  {
    id: 'first_playlist',
    title: 'First playlist',
    description: 'Created a public playlist with at least 3 tracks. Once ever.',
    amount: 2n * FAIR,
    period: 'once',
    maxAwardsPerEpoch: 1_000,
    maxAmountPerEpoch: 2_000n * FAIR,
    evidence: 'node',
  },
  {
    id: 'complete_profile',
    title: 'Complete profile',
    description: 'A profile with a handle, a display name, an avatar and a bio. Once ever.',
    amount: 2n * FAIR,
    period: 'once',
    maxAwardsPerEpoch: 1_000,
    maxAmountPerEpoch: 2_000n * FAIR,
    evidence: 'node',
  },
] satisfies FanRewardRule[]);

export const FAN_REWARDS_SUMMARY =
  'A published share of each epoch’s FAIR rewards pays fans for these challenges, through the same epoch ' +
  'settlement and Merkle payouts as the artists; what awards do not spend goes to the artists in the same epoch. ' +
  'Rules are evaluated at settlement from counted plays of published epochs; an account earns at a settlement ' +
  'in which it has counted plays, at most once per rule and period, and never while it matches the bot pattern. ' +
  'Awards only come from settlement: nothing can be claimed on request.';

export const FAN_REWARDS_BOT_PATTERN =
  'An account whose counted plays (in every published epoch so far) are all of one single track, at the daily cap ' +
  'on every UTC day it played, earns no fan reward: that is a script pressing play, and the user-centric weight ' +
  'and the daily cap already limit what it moves for the artist.';

export const FAN_REWARDS_VERIFIABILITY =
  'fairstream verify recomputes the budget, every amount, the caps, the bot exclusions, the listening streaks, ' +
  'the trending entries and the 100-play milestones with their first listeners from the published plays. ' +
  'Tastemaker, first-playlist and complete-profile awards rest on facts only the node holds (when a repost was ' +
  'made, a playlist, a profile): each award publishes them as its evidence, and verify checks that the evidence ' +
  'satisfies the rule (repost before the recomputed trending entry, not a recipient of the track, 3 or more ' +
  'tracks, every profile field) and that the award obeys the caps and the budget.';

export function fanRewardRule(id: string): FanRewardRule | undefined {
  return FAN_REWARD_RULES.find((rule) => rule.id === id);
}

// --- Days, weeks and periods ---------------------------------------------------------------------

export const DAY_MS = 86_400_000;

/** Whole UTC days since 1970-01-01 (the day number of a Unix ms time). */
export function dayNumberOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** 'YYYY-MM-DD' of a day number (the same string as utcDayOf, the counting rule's day). */
export function dayString(day: number): string {
  return utcDayOf(day * DAY_MS);
}

const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** The day number of a 'YYYY-MM-DD' UTC day; throws on anything else. */
export function dayNumberOfString(day: string): number {
  const ms = DAY_SHAPE.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
  if (!Number.isFinite(ms) || utcDayOf(ms) !== day) throw new RangeError(`"${day}" is not a YYYY-MM-DD day`);
  return ms / DAY_MS;
}

/** The ISO 8601 week of a day number, 'YYYY-Www' (weeks start on Monday; week 1 holds a Thursday). */
export function isoWeekOf(day: number): string {
  // Day 0 (1970-01-01) was a Thursday: Monday is weekday 0.
  const weekday = (((day + 3) % 7) + 7) % 7;
  const thursday = day - weekday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday (day number) of a day's ISO week. */
export function weekStartOf(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/** The period key of an award: 'once', 'week:2025-W02' or 'track:<trackId>'. */
export function periodKey(kind: FanRewardPeriodKind, value?: string): string {
  if (kind === 'once') return 'once';
  if (value === undefined || value === '') throw new RangeError(`A '${kind}' period needs a value`);
  return `${kind}:${value}`;
}

/** The unique key of an award: one per account, rule and period. */
export function awardKey(account: string, rule: string, period: string): string {
  return `${account.toLowerCase()}|${rule}|${period}`;
}
