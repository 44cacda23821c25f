/**
 * The fan-reward history of a ledger held in memory: every published epoch's counted plays, and the
 * trending entries, milestones and awards each published. `fairstream verify` replays the published
 * epochs through it (in Node and in the browser) and asks it for the facts of the next epoch, which
 * are exactly what a node reads from its database (a superset where evaluate.ts allows one).
 *
 * Call order per epoch: trackFacts / listenerFacts for the epoch (they must not see its own plays),
 * then addEpoch with its plays and outcome.
 */
import {
  comparePlays,
  DAY_PLAYS_KEPT,
  evaluateFanRewards,
  type FanListenerFacts,
  type FanPlay,
  type FanPlayIndex,
  type FanRewardsResult,
  type FanTrackEvents,
  type FanTrackFacts,
  FIRST_PLAYS_KEPT,
  fanTrackEvents,
  indexFanPlays,
  type ListenerDayCount,
  type Milestone,
  type PlaylistEvidence,
  type ProfileEvidence,
  type RepostEvidence,
  type TrendingEntry,
  trackDayKey,
} from './evaluate.ts';
import { awardKey, DAY_MS } from './rules.ts';

export interface FanEpochOutcome {
  trending?: Iterable<TrendingEntry>;
  milestones?: Iterable<Milestone>;
  awards?: Iterable<{ account: string; rule: string; period: string }>;
}

export class FanRewardsHistory {
  /** listener → trackId → day → counted plays. */
  readonly #listeners = new Map<string, Map<string, Map<number, number>>>();
  /** Tracks without a milestone: their first FIRST_PLAYS_KEPT plays. */
  readonly #firstPlays = new Map<string, FanPlay[]>();
  /** Tracks not trending: per day, that day's first DAY_PLAYS_KEPT plays. */
  readonly #dayPlays = new Map<string, Map<number, FanPlay[]>>();
  readonly trending = new Map<string, TrendingEntry>();
  readonly milestones = new Map<string, Milestone>();
  readonly awarded = new Set<string>();

  /** Adds a published epoch's counted plays, and the events and awards it published. */
  addEpoch(plays: readonly FanPlay[], outcome: FanEpochOutcome = {}): void {
    for (const entry of outcome.trending ?? []) this.trending.set(entry.trackId, entry);
    for (const milestone of outcome.milestones ?? []) this.milestones.set(milestone.trackId, milestone);
    for (const award of outcome.awards ?? [])
      this.awarded.add(awardKey(award.account, award.rule, award.period));
    for (const play of plays) {
      const listener = play.listener.toLowerCase();
      const normalized = listener === play.listener ? play : { ...play, listener };
      const day = Math.floor(play.firstStartedAt / DAY_MS);
      const days = getOrSet(
        getOrSet(this.#listeners, listener, () => new Map()),
        play.trackId,
        () => new Map(),
      );
      days.set(day, (days.get(day) ?? 0) + 1);
      if (!this.milestones.has(play.trackId)) {
        insertBounded(
          getOrSet(this.#firstPlays, play.trackId, () => []),
          normalized,
          FIRST_PLAYS_KEPT,
        );
      }
      if (!this.trending.has(play.trackId)) {
        const byDay = getOrSet(this.#dayPlays, play.trackId, () => new Map<number, FanPlay[]>());
        insertBounded(
          getOrSet(byDay, day, () => []),
          normalized,
          DAY_PLAYS_KEPT,
        );
      }
    }
    // Tracks whose event is known need their plays no more.
    for (const trackId of this.milestones.keys()) this.#firstPlays.delete(trackId);
    for (const trackId of this.trending.keys()) this.#dayPlays.delete(trackId);
  }

  /** The facts step 2 reads for an epoch with this index. */
  trackFacts(index: FanPlayIndex): FanTrackFacts {
    const trackFirstPlays = new Map<string, readonly FanPlay[]>();
    const trackDayPlays = new Map<string, readonly FanPlay[]>();
    for (const [trackId, track] of index.tracks) {
      const first = this.#firstPlays.get(trackId);
      if (first && !this.milestones.has(trackId)) trackFirstPlays.set(trackId, first);
      const byDay = this.#dayPlays.get(trackId);
      if (!byDay || this.trending.has(trackId)) continue;
      for (const day of track.days.keys()) {
        const kept = byDay.get(day);
        if (kept) trackDayPlays.set(trackDayKey(trackId, day), kept);
      }
    }
    return { trending: this.trending, milestones: this.milestones, trackFirstPlays, trackDayPlays };
  }

  /** The facts step 3 reads, with the node's social facts (for verify: from the published evidence). */
  listenerFacts(
    index: FanPlayIndex,
    social: {
      profiles?: ReadonlyMap<string, ProfileEvidence>;
      playlists?: ReadonlyMap<string, PlaylistEvidence>;
      reposts?: ReadonlyMap<string, readonly RepostEvidence[]>;
      recipients?: ReadonlyMap<string, readonly string[]>;
    } = {},
  ): FanListenerFacts {
    const listenerHistory = new Map<string, ListenerDayCount[]>();
    for (const account of index.listeners.keys()) {
      const tracks = this.#listeners.get(account);
      if (!tracks) continue;
      const rows: ListenerDayCount[] = [];
      for (const [trackId, days] of tracks)
        for (const [day, count] of days) rows.push({ trackId, day, count });
      listenerHistory.set(account, rows);
    }
    const reposts = social.reposts ?? new Map();
    const played = new Set<string>();
    for (const [account, list] of reposts) {
      for (const repost of list) {
        if (this.#listeners.get(account)?.has(repost.trackId)) played.add(`${account}|${repost.trackId}`);
      }
    }
    return {
      listenerHistory,
      awarded: this.awarded,
      played,
      recipients: social.recipients ?? new Map(),
      profiles: social.profiles ?? new Map(),
      playlists: social.playlists ?? new Map(),
      reposts,
    };
  }

  /** Counted plays of a listener in the history, per track and day (for progress displays and tests). */
  listenerDays(listener: string): ListenerDayCount[] {
    const rows: ListenerDayCount[] = [];
    for (const [trackId, days] of this.#listeners.get(listener.toLowerCase()) ?? [])
      for (const [day, count] of days) rows.push({ trackId, day, count });
    return rows;
  }
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Inserts `play` into `list` (kept in play order) and drops what falls beyond `limit`. */
function insertBounded(list: FanPlay[], play: FanPlay, limit: number): void {
  if (list.length >= limit && comparePlays(play, list[list.length - 1]!) >= 0) return;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePlays(list[mid]!, play) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, play);
  if (list.length > limit) list.length = limit;
}

/**
 * One epoch evaluated against a history (steps 1 to 3), without adding it: what verify runs for a
 * published epoch, and what tests compare a node's awards with.
 */
export function evaluateFanEpoch(
  history: FanRewardsHistory,
  input: {
    epoch: number;
    plays: readonly FanPlay[];
    budget: bigint;
    social?: Parameters<FanRewardsHistory['listenerFacts']>[1];
  },
): { index: FanPlayIndex; events: FanTrackEvents; result: FanRewardsResult } {
  const index = indexFanPlays(input.plays, { trending: history.trending, milestones: history.milestones });
  const trackFacts = history.trackFacts(index);
  const events = fanTrackEvents(input.epoch, index, trackFacts);
  const result = evaluateFanRewards({
    budget: input.budget,
    index,
    trackFacts,
    events,
    facts: history.listenerFacts(index, input.social),
  });
  return { index, events, result };
}
