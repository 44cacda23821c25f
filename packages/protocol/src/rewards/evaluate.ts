/**
 * Evaluation of the fan-reward rules (rules.ts) for one epoch, pure and deterministic, shared by the
 * node's settlement, `fairstream verify` (in Node and in the browser) and the benchmark.
 *
 * Three steps, so the node can fetch from its database only what each one looks at:
 * 1. indexFanPlays: ONE pass over the epoch's counted plays, in (firstStartedAt, playId) order:
 *    per listener its UTC days and tracks, per track its first plays overall and per day.
 * 2. fanTrackEvents: the tracks that enter trending or reach the 100-play milestone this epoch,
 *    from the index and the earlier published plays of those tracks (FanTrackFacts).
 * 3. evaluateFanRewards: every active listener's candidate awards, less the bot pattern and what was
 *    awarded before, served in rule order under the caps and the budget (FanListenerFacts).
 *
 * "Earlier published plays" (the history) are the counted plays of earlier epochs whose data was
 * published: an epoch that paid nothing publishes nothing, and what nobody can check counts for no
 * reward. The facts the node passes may hold more than each step looks at (a superset gives the same
 * result); what each field must hold AT LEAST is written beside it.
 *
 * Ordering is code-unit string order and numeric time, never locale order, so every client agrees.
 */
import type { InternedPlays } from '../payouts/allocate.ts';
import { COUNTING_RULE } from '../plays/counting-rule.ts';
import {
  awardKey,
  DAY_MS,
  dayNumberOf,
  dayString,
  FAN_REWARD_RULES,
  FAN_REWARDS_POLICY,
  type FanRewardRule,
  type FanRewardRuleId,
  isoWeekOf,
  periodKey,
} from './rules.ts';

export class FanRewardsError extends Error {
  override name = 'FanRewardsError';
}

/** A counted play, as much of it as the rules read. Listener addresses are lower case. */
export interface FanPlay {
  playId: string;
  listener: string;
  trackId: string;
  firstStartedAt: number;
}

/** One listener's counted plays of one track on one UTC day (a day number), in earlier published epochs. */
export interface ListenerDayCount {
  trackId: string;
  day: number;
  count: number;
}

/** When a track entered trending: the first counted play of the tenth distinct listener of that day. */
export interface TrendingEntry {
  trackId: string;
  /** The epoch whose settlement found it. */
  epoch: number;
  at: number;
  playId: string;
  listener: string;
  /** The UTC day, 'YYYY-MM-DD'. */
  day: string;
}

export interface FirstListener {
  listener: string;
  /** The listener's first counted play of the track. */
  playId: string;
  at: number;
}

/** A track's 100th counted play, and its first distinct counted listeners (in order). */
export interface Milestone {
  trackId: string;
  epoch: number;
  at: number;
  playId: string;
  firstListeners: FirstListener[];
}

export interface ProfileEvidence {
  handle: string;
  displayName: string;
  /** The avatar's CID (its largest rendition). */
  avatar: string;
  /** Characters of the bio (the bio itself is on the profile; only its presence counts). */
  bioLength: number;
}

export interface PlaylistEvidence {
  playlistId: string;
  /** Tracks in it when the settlement looked. */
  tracks: number;
  createdAt: number;
}

export interface RepostEvidence {
  trackId: string;
  repostedAt: number;
}

/** What step 2 reads besides the index. */
export interface FanTrackFacts {
  /** Trending entries found by earlier epochs: AT LEAST for every track played this epoch. */
  trending: ReadonlyMap<string, TrendingEntry>;
  /** Milestones found by earlier epochs: AT LEAST for every track played this epoch. */
  milestones: ReadonlyMap<string, Milestone>;
  /**
   * For each track played this epoch without a milestone: its first FIRST_PLAYS_KEPT counted plays
   * of earlier published epochs, by (firstStartedAt, playId) (all of them when there are fewer).
   */
  trackFirstPlays: ReadonlyMap<string, readonly FanPlay[]>;
  /**
   * For each track played this epoch that has not entered trending, and each UTC day it was played on
   * this epoch (trackDayKey): that day's first DAY_PLAYS_KEPT counted plays of earlier published epochs.
   */
  trackDayPlays: ReadonlyMap<string, readonly FanPlay[]>;
}

/** What step 3 reads besides the index and the events. */
export interface FanListenerFacts {
  /**
   * Earlier published counted plays per active listener: AT LEAST the days from 6 before its first
   * day this epoch to 6 after its last; and every day of every track when all its plays this epoch
   * are of one track (the bot pattern looks at everything then).
   */
  listenerHistory: ReadonlyMap<string, readonly ListenerDayCount[]>;
  /** awardKey of awards of earlier epochs: AT LEAST those of active listeners. */
  awarded: ReadonlySet<string>;
  /** `${listener}|${trackId}` with a counted play in an earlier published epoch: AT LEAST for active listeners' reposts. */
  played: ReadonlySet<string>;
  /** Split recipients (lower case) of every track an active listener reposted that entered trending. */
  recipients: ReadonlyMap<string, readonly string[]>;
  /** Complete profiles of active listeners (the node's word: published as evidence). */
  profiles: ReadonlyMap<string, ProfileEvidence>;
  /** Each active listener's oldest public playlist with enough tracks (the node's word). */
  playlists: ReadonlyMap<string, PlaylistEvidence>;
  /** Active listeners' reposts of tracks that entered trending, now or before (the node's word). */
  reposts: ReadonlyMap<string, readonly RepostEvidence[]>;
}

export type FanAwardEvidence =
  | { kind: 'streak'; days: string[] }
  | {
      kind: 'first_listener';
      trackId: string;
      rank: number;
      playId: string;
      playedAt: number;
      milestoneAt: number;
      milestonePlayId: string;
      milestoneEpoch: number;
    }
  | {
      kind: 'tastemaker';
      trackId: string;
      repostedAt: number;
      trendingAt: number;
      trendingPlayId: string;
      trendingEpoch: number;
    }
  | { kind: 'playlist'; playlistId: string; tracks: number; createdAt: number }
  | { kind: 'profile'; handle: string; displayName: string; avatar: string; bioLength: number };

export interface FanAward {
  account: string;
  rule: FanRewardRuleId;
  period: string;
  amount: bigint;
  reason: string;
  evidence: FanAwardEvidence;
}

export interface HeldBack {
  account: string;
  rule: FanRewardRuleId;
  period: string;
  because: 'rule_cap' | 'budget';
}

export interface FanRewardsResult {
  /** In serving order: rule order, then period, then account. */
  awards: FanAward[];
  budget: bigint;
  /** Σ awards; at most the budget. */
  spent: bigint;
  /** Active listeners that matched the bot pattern (ascending). */
  botAccounts: string[];
  /** Eligible but over a cap or the budget: considered again at their next settlement with counted plays. */
  heldBack: HeldBack[];
  byRule: { rule: FanRewardRuleId; awards: number; amount: bigint }[];
}

/** Plays of a track kept for its milestone: the milestone's play is within the first this many. */
export const FIRST_PLAYS_KEPT = FAN_REWARDS_POLICY.milestonePlays;
/**
 * Plays of a track's day kept for its trending entry: a listener counts at most the daily cap per
 * track and day, so the tenth distinct listener's first play is among the first (10 − 1) × cap + 1.
 */
export const DAY_PLAYS_KEPT =
  FAN_REWARDS_POLICY.trendingListeners * COUNTING_RULE.dailyCapPerListenerAndTrack;

export const trackDayKey = (trackId: string, day: number): string => `${trackId}|${day}`;

/** (firstStartedAt, playId) order, the order plays are judged and ranked in. */
export function comparePlays(a: FanPlay, b: FanPlay): number {
  return a.firstStartedAt - b.firstStartedAt || (a.playId < b.playId ? -1 : a.playId > b.playId ? 1 : 0);
}

// --- 1. The index -------------------------------------------------------------------------------

export interface ListenerPlays {
  /** Its UTC days this epoch, ascending. */
  days: number[];
  /** Plays of `firstTrack` on each of `days` (what the bot pattern reads while it has one track). */
  firstTrackCounts: number[];
  /** Distinct tracks played this epoch. */
  trackCount: number;
  /** The track of its first play this epoch. */
  firstTrack: string;
}

export interface TrackPlays {
  /** Counted plays this epoch. */
  count: number;
  /** Indexes (into FanPlayIndex.plays) of its first FIRST_PLAYS_KEPT plays, unless skipped. */
  first: number[];
  /** Per UTC day: indexes of that day's first DAY_PLAYS_KEPT plays, unless skipped. */
  days: Map<number, number[]>;
}

export interface FanPlayIndex {
  /** The epoch's counted plays in (firstStartedAt, playId) order. */
  plays: readonly FanPlay[];
  /** Active listeners (at least one counted play), ascending. */
  listeners: Map<string, ListenerPlays>;
  tracks: Map<string, TrackPlays>;
  /** Whether the listener played the track this epoch. */
  played(listener: string, trackId: string): boolean;
}

/**
 * Step 1: one pass over the epoch's counted plays. Plays already in (firstStartedAt, playId) order
 * (as the node reads them) are used as they are; otherwise a sorted copy is. Tracks in `skip` have
 * their trending entry or milestone already and need no plays kept for it. `interned`: the same
 * plays, in the same order, as integers (allocate's shared aggregate has them), which saves the
 * string lookups. The pass touches typed arrays per play, objects only when a list grows: a million
 * plays stay a matter of a second.
 */
export function indexFanPlays(
  input: readonly FanPlay[],
  skip: { trending?: { has(trackId: string): boolean }; milestones?: { has(trackId: string): boolean } } = {},
  interned?: InternedPlays,
): FanPlayIndex {
  let plays = input;
  for (let i = 1; i < plays.length; i++) {
    if (comparePlays(plays[i - 1]!, plays[i]!) > 0) {
      plays = [...input].sort(comparePlays);
      break;
    }
  }
  const ints =
    interned && plays === input && interned.listenerOf.length === plays.length
      ? interned
      : internPlays(plays);
  const nListeners = ints.listeners.length;
  const nTracks = ints.trackIds.length;

  // Per listener: its current day, its first track and that track's plays today.
  const listenerDay = new Float64Array(nListeners).fill(Number.NaN);
  const firstTrack = new Int32Array(nListeners).fill(-1);
  const firstToday = new Int32Array(nListeners);
  const days: number[][] = new Array(nListeners);
  const firstCounts: number[][] = new Array(nListeners);
  // Per track: its count, whether it keeps plays, and its current day's list.
  const count = new Int32Array(nTracks);
  const keepFirst = new Uint8Array(nTracks);
  const keepDays = new Uint8Array(nTracks);
  for (let t = 0; t < nTracks; t++) {
    keepFirst[t] = skip.milestones?.has(ints.trackIds[t]!) ? 0 : 1;
    keepDays[t] = skip.trending?.has(ints.trackIds[t]!) ? 0 : 1;
  }
  const first: number[][] = new Array(nTracks);
  const trackDays: Map<number, number[]>[] = new Array(nTracks);
  const trackDay = new Float64Array(nTracks).fill(Number.NaN);
  const trackDayPlays: number[][] = new Array(nTracks);
  // (listener, track) of every play, listener-major, for distinct tracks per listener.
  const codes = new Float64Array(plays.length);

  for (let i = 0; i < plays.length; i++) {
    const l = ints.listenerOf[i]!;
    const t = ints.trackOf[i]!;
    const day = Math.floor(plays[i]!.firstStartedAt / DAY_MS);
    codes[i] = l * nTracks + t;
    if (listenerDay[l] !== day) {
      if (firstTrack[l] === -1) {
        firstTrack[l] = t;
        days[l] = [day];
        // Each day's count is pushed when the day ends (the next day, or the end of the pass).
        firstCounts[l] = [];
      } else {
        firstCounts[l]!.push(firstToday[l]!);
        days[l]!.push(day);
      }
      listenerDay[l] = day;
      firstToday[l] = 0;
    }
    if (firstTrack[l] === t) firstToday[l]!++;

    count[t]!++;
    if (keepFirst[t]) {
      const list = first[t];
      if (!list) first[t] = [i];
      else if (list.length < FIRST_PLAYS_KEPT) list.push(i);
      else keepFirst[t] = 0;
    }
    if (keepDays[t]) {
      if (trackDay[t] !== day) {
        trackDay[t] = day;
        const byDay = trackDays[t] ?? new Map<number, number[]>();
        trackDays[t] = byDay;
        let list = byDay.get(day);
        if (!list) {
          list = [];
          byDay.set(day, list);
        }
        trackDayPlays[t] = list;
      }
      const list = trackDayPlays[t]!;
      if (list.length < DAY_PLAYS_KEPT) list.push(i);
    }
  }
  codes.sort();
  const trackCount = new Int32Array(nListeners);
  for (let i = 0; i < codes.length; i++) {
    if (i > 0 && codes[i] === codes[i - 1]) continue;
    trackCount[Math.floor(codes[i]! / nTracks)]!++;
  }

  const order = ints.listeners
    .map((_, i) => i)
    .sort((a, b) => compareStrings(ints.listeners[a]!, ints.listeners[b]!));
  const listeners = new Map<string, ListenerPlays>();
  const listenerIndex = new Map<string, number>();
  for (const l of order) {
    if (firstTrack[l] === -1) continue;
    firstCounts[l]!.push(firstToday[l]!);
    listeners.set(ints.listeners[l]!, {
      days: days[l]!,
      firstTrackCounts: firstCounts[l]!,
      trackCount: trackCount[l]!,
      firstTrack: ints.trackIds[firstTrack[l]!]!,
    });
    listenerIndex.set(ints.listeners[l]!, l);
  }
  const tracks = new Map<string, TrackPlays>();
  const trackIndex = new Map<string, number>();
  for (let t = 0; t < nTracks; t++) {
    if (count[t] === 0) continue;
    tracks.set(ints.trackIds[t]!, {
      count: count[t]!,
      first: first[t] ?? [],
      days: trackDays[t] ?? new Map(),
    });
    trackIndex.set(ints.trackIds[t]!, t);
  }
  const played = (listener: string, trackId: string): boolean => {
    const l = listenerIndex.get(listener);
    const t = trackIndex.get(trackId);
    if (l === undefined || t === undefined) return false;
    const code = l * nTracks + t;
    let lo = 0;
    let hi = codes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (codes[mid]! < code) lo = mid + 1;
      else hi = mid;
    }
    return codes[lo] === code;
  };
  return { plays, listeners, tracks, played };
}

/** The plays' listeners (lower case) and tracks as integers, in play order. */
function internPlays(plays: readonly FanPlay[]): InternedPlays {
  const listenerOf = new Int32Array(plays.length);
  const trackOf = new Int32Array(plays.length);
  const listeners: string[] = [];
  const trackIds: string[] = [];
  const listenerIndex = new Map<string, number>();
  const lowerIndex = new Map<string, number>();
  const trackIndex = new Map<string, number>();
  for (let i = 0; i < plays.length; i++) {
    const play = plays[i]!;
    let l = listenerIndex.get(play.listener);
    if (l === undefined) {
      const lower = play.listener.toLowerCase();
      l = lowerIndex.get(lower);
      if (l === undefined) {
        l = listeners.length;
        listeners.push(lower);
        lowerIndex.set(lower, l);
      }
      listenerIndex.set(play.listener, l);
    }
    let t = trackIndex.get(play.trackId);
    if (t === undefined) {
      t = trackIds.length;
      trackIds.push(play.trackId);
      trackIndex.set(play.trackId, t);
    }
    listenerOf[i] = l;
    trackOf[i] = t;
  }
  return { listenerOf, trackOf, listeners, trackIds };
}

// --- 2. Track events ----------------------------------------------------------------------------

export interface FanTrackEvents {
  trending: Map<string, TrendingEntry>;
  milestones: Map<string, Milestone>;
}

/** Step 2: the tracks that enter trending or reach the milestone in this epoch, by trackId (ascending). */
export function fanTrackEvents(epoch: number, index: FanPlayIndex, facts: FanTrackFacts): FanTrackEvents {
  const { milestonePlays, firstListeners, trendingListeners } = FAN_REWARDS_POLICY;
  const trending = new Map<string, TrendingEntry>();
  const milestones = new Map<string, Milestone>();
  const trackIds = [...index.tracks.keys()].sort(compareStrings);
  for (const trackId of trackIds) {
    const track = index.tracks.get(trackId)!;
    const earlierFirst = facts.trackFirstPlays.get(trackId) ?? [];
    // A track with fewer plays than the milestone, earlier ones included, cannot reach it now.
    if (!facts.milestones.has(trackId) && earlierFirst.length + track.count >= milestonePlays) {
      const merged = firstOf(earlierFirst, track.first, index, milestonePlays);
      if (merged.length >= milestonePlays) {
        const hundredth = merged[milestonePlays - 1]!;
        const first: FirstListener[] = [];
        const seen = new Set<string>();
        for (const play of merged) {
          if (seen.has(play.listener)) continue;
          seen.add(play.listener);
          first.push({ listener: play.listener, playId: play.playId, at: play.firstStartedAt });
          if (first.length === firstListeners) break;
        }
        milestones.set(trackId, {
          trackId,
          epoch,
          at: hundredth.firstStartedAt,
          playId: hundredth.playId,
          firstListeners: first,
        });
      }
    }
    if (!facts.trending.has(trackId)) {
      for (const day of [...track.days.keys()].sort((a, b) => a - b)) {
        const earlier = facts.trackDayPlays.get(trackDayKey(trackId, day)) ?? [];
        const kept = track.days.get(day)!;
        // Fewer plays than listeners needed: no tenth listener that day.
        if (earlier.length + kept.length < trendingListeners) continue;
        const merged = firstOf(earlier, kept, index, DAY_PLAYS_KEPT);
        const seen = new Set<string>();
        const tenth = merged.find((play) => {
          // Plays of the day only (a node's history rows are by day already; this keeps a superset safe).
          if (dayNumberOf(play.firstStartedAt) !== day || seen.has(play.listener)) return false;
          seen.add(play.listener);
          return seen.size === trendingListeners;
        });
        if (tenth) {
          trending.set(trackId, {
            trackId,
            epoch,
            at: tenth.firstStartedAt,
            playId: tenth.playId,
            listener: tenth.listener,
            day: dayString(day),
          });
          break;
        }
      }
    }
  }
  return { trending, milestones };
}

/** The first `k` of earlier plays and this epoch's kept plays together, in play order. */
function firstOf(
  earlier: readonly FanPlay[],
  kept: readonly number[],
  index: FanPlayIndex,
  k: number,
): FanPlay[] {
  const mine = kept.map((i) => index.plays[i]!);
  // This epoch's kept plays are in play order already.
  if (earlier.length === 0) return mine.length > k ? mine.slice(0, k) : mine;
  const all = [...earlier, ...mine];
  all.sort(comparePlays);
  return all.length > k ? all.slice(0, k) : all;
}

// --- 3. Awards ----------------------------------------------------------------------------------

/**
 * The bot pattern (FAN_REWARDS_BOT_PATTERN): every counted play of the account, this epoch and in
 * earlier published epochs, is of one track, and every UTC day it played reached the daily cap.
 */
export function isBotPattern(
  plays: ListenerPlays,
  history: readonly ListenerDayCount[] | undefined,
): boolean {
  if (plays.trackCount !== 1) return false;
  const trackId = plays.firstTrack;
  const perDay = new Map<number, number>();
  for (const [i, day] of plays.days.entries()) perDay.set(day, plays.firstTrackCounts[i]!);
  for (const row of history ?? []) {
    if (row.count <= 0) continue;
    if (row.trackId !== trackId) return false;
    perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.count);
  }
  const cap = COUNTING_RULE.dailyCapPerListenerAndTrack;
  for (const count of perDay.values()) if (count < cap) return false;
  return true;
}

/**
 * The weeks a listener's streak earns at this epoch: for each day e within 6 days after one of its
 * days this epoch, when it has counted plays on all 7 days e−6…e, the ISO week of e (the earliest
 * such e per week, whose 7 days are the evidence). Days outside that reach were looked at before.
 */
export function streakWeeks(
  days: readonly number[],
  history: readonly ListenerDayCount[] | undefined,
): { week: string; days: number[] }[] {
  const length = FAN_REWARDS_POLICY.streakDays;
  let all: number[] = [...days];
  if (history) for (const row of history) if (row.count > 0) all.push(row.day);
  if (all.length < length) return [];
  all = [...new Set(all)].sort((a, b) => a - b);
  if (all.length < length) return [];
  // Runs of consecutive days; a day e ends a 7-day streak when its run started at least 6 days before.
  const runStart = new Map<number, number>();
  for (let i = 0; i < all.length; i++) {
    const day = all[i]!;
    runStart.set(day, i > 0 && all[i - 1] === day - 1 ? runStart.get(day - 1)! : day);
  }
  const ends = new Set<number>();
  for (const day of days) {
    for (let e = day; e < day + length; e++) {
      const start = runStart.get(e);
      if (start === undefined) break;
      if (e - start + 1 >= length) ends.add(e);
    }
  }
  const weeks = new Map<string, number[]>();
  for (const e of [...ends].sort((a, b) => a - b)) {
    const week = isoWeekOf(e);
    if (!weeks.has(week))
      weeks.set(
        week,
        Array.from({ length }, (_, i) => e - length + 1 + i),
      );
  }
  return [...weeks].map(([week, run]) => ({ week, days: run }));
}

interface Candidate {
  order: number;
  account: string;
  rule: FanRewardRule;
  period: string;
  reason: string;
  evidence: FanAwardEvidence;
}

/**
 * Step 3: the awards of the epoch. `events` are this epoch's (step 2); the earlier ones are in
 * `trackFacts`. Throws FanRewardsError on a negative budget or a rule with a bad amount or cap.
 */
export function evaluateFanRewards(input: {
  budget: bigint;
  index: FanPlayIndex;
  trackFacts: Pick<FanTrackFacts, 'trending' | 'milestones'>;
  events: FanTrackEvents;
  facts: FanListenerFacts;
  rules?: readonly FanRewardRule[];
}): FanRewardsResult {
  const { budget, index, trackFacts, events, facts } = input;
  const rules = input.rules ?? FAN_REWARD_RULES;
  if (typeof budget !== 'bigint' || budget < 0n)
    throw new FanRewardsError(`The fan-reward budget must be a non-negative bigint, not ${budget}`);
  for (const rule of rules) {
    if (rule.amount <= 0n || rule.maxAmountPerEpoch < 0n || !Number.isSafeInteger(rule.maxAwardsPerEpoch))
      throw new FanRewardsError(`Rule ${rule.id} needs a positive amount and whole caps`);
  }
  const ruleOf = new Map(rules.map((rule, order) => [rule.id, { rule, order }]));
  const candidates: Candidate[] = [];
  const add = (
    account: string,
    id: FanRewardRuleId,
    period: string,
    reason: string,
    evidence: FanAwardEvidence,
  ) => {
    const entry = ruleOf.get(id);
    if (!entry || facts.awarded.has(awardKey(account, id, period))) return;
    candidates.push({ order: entry.order, account, rule: entry.rule, period, reason, evidence });
  };
  const trendingOf = (trackId: string) => events.trending.get(trackId) ?? trackFacts.trending.get(trackId);

  const bots = new Set<string>();
  for (const [account, plays] of index.listeners) {
    const history = facts.listenerHistory.get(account);
    if (isBotPattern(plays, history)) {
      bots.add(account);
      continue;
    }
    for (const { week, days } of streakWeeks(plays.days, history)) {
      const strings = days.map(dayString);
      add(
        account,
        'listening_streak',
        periodKey('week', week),
        `Counted plays on ${days.length} consecutive UTC days, ${strings[0]} to ${strings[strings.length - 1]}`,
        { kind: 'streak', days: strings },
      );
    }
    for (const repost of facts.reposts.get(account) ?? []) {
      const entry = trendingOf(repost.trackId);
      if (!entry || !(repost.repostedAt < entry.at)) continue;
      const recipients = facts.recipients.get(repost.trackId);
      if (!recipients || recipients.includes(account)) continue;
      if (!index.played(account, repost.trackId) && !facts.played.has(`${account}|${repost.trackId}`))
        continue;
      add(
        account,
        'tastemaker',
        periodKey('track', repost.trackId),
        `Reposted track ${repost.trackId} at ${iso(repost.repostedAt)}, before it entered trending at ${iso(entry.at)}`,
        {
          kind: 'tastemaker',
          trackId: repost.trackId,
          repostedAt: repost.repostedAt,
          trendingAt: entry.at,
          trendingPlayId: entry.playId,
          trendingEpoch: entry.epoch,
        },
      );
    }
    const playlist = facts.playlists.get(account);
    if (playlist && playlist.tracks >= FAN_REWARDS_POLICY.playlistMinTracks) {
      add(
        account,
        'first_playlist',
        periodKey('once'),
        `Created the public playlist ${playlist.playlistId} with ${playlist.tracks} tracks`,
        { kind: 'playlist', ...playlist },
      );
    }
    const profile = facts.profiles.get(account);
    if (profile?.handle && profile.displayName && profile.avatar && profile.bioLength > 0) {
      add(
        account,
        'complete_profile',
        periodKey('once'),
        `Completed the profile @${profile.handle}: handle, display name, avatar and bio`,
        { kind: 'profile', ...profile },
      );
    }
  }
  // First listeners: of every milestone, found now or before, the active listeners among its first.
  const seenMilestones = new Set<string>();
  for (const milestone of [...events.milestones.values(), ...trackFacts.milestones.values()]) {
    if (seenMilestones.has(milestone.trackId)) continue;
    seenMilestones.add(milestone.trackId);
    for (const [rank, first] of milestone.firstListeners.entries()) {
      if (!index.listeners.has(first.listener) || bots.has(first.listener)) continue;
      add(
        first.listener,
        'first_listener',
        periodKey('track', milestone.trackId),
        `Listener #${rank + 1} of track ${milestone.trackId}, which reached ${FAN_REWARDS_POLICY.milestonePlays} counted plays`,
        {
          kind: 'first_listener',
          trackId: milestone.trackId,
          rank: rank + 1,
          playId: first.playId,
          playedAt: first.at,
          milestoneAt: milestone.at,
          milestonePlayId: milestone.playId,
          milestoneEpoch: milestone.epoch,
        },
      );
    }
  }

  candidates.sort(
    (a, b) => a.order - b.order || compareStrings(a.period, b.period) || compareStrings(a.account, b.account),
  );
  const awards: FanAward[] = [];
  const heldBack: HeldBack[] = [];
  const counts = new Map<string, { awards: number; amount: bigint }>(
    rules.map((r) => [r.id, { awards: 0, amount: 0n }]),
  );
  let spent = 0n;
  for (const candidate of candidates) {
    const { rule } = candidate;
    const count = counts.get(rule.id)!;
    const key = { account: candidate.account, rule: rule.id, period: candidate.period };
    if (count.awards + 1 > rule.maxAwardsPerEpoch || count.amount + rule.amount > rule.maxAmountPerEpoch) {
      heldBack.push({ ...key, because: 'rule_cap' });
      continue;
    }
    if (spent + rule.amount > budget) {
      heldBack.push({ ...key, because: 'budget' });
      continue;
    }
    count.awards++;
    count.amount += rule.amount;
    spent += rule.amount;
    awards.push({ ...key, amount: rule.amount, reason: candidate.reason, evidence: candidate.evidence });
  }
  return {
    awards,
    budget,
    spent,
    botAccounts: [...bots].sort(compareStrings),
    heldBack,
    byRule: rules.map((rule) => ({ rule: rule.id, ...counts.get(rule.id)! })),
  };
}

/** The fan-reward budget of an epoch: sharePpm of its available FAIR rewards, rounded down. */
export function fanRewardsBudget(
  availableFair: bigint,
  sharePpm: number = FAN_REWARDS_POLICY.sharePpm,
): bigint {
  if (typeof availableFair !== 'bigint' || availableFair < 0n)
    throw new FanRewardsError(`Available FAIR must be a non-negative bigint, not ${availableFair}`);
  if (!Number.isSafeInteger(sharePpm) || sharePpm < 0 || sharePpm > 1_000_000)
    throw new FanRewardsError(`sharePpm must be a whole number from 0 to 1,000,000, not ${sharePpm}`);
  return (availableFair * BigInt(sharePpm)) / 1_000_000n;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
