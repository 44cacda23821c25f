/**
 * The compute step's fan rewards: protocol's three steps (rewards/evaluate.ts) fed from the database.
 * Each query reads only what its step looks at (the facts' "AT LEAST" contracts), from the published
 * history (epochs before this one that did not end 'empty'), so `fairstream verify` reaches the same
 * awards from the published epoch data alone.
 */
import {
  DAY_PLAYS_KEPT,
  evaluateFanRewards,
  FAN_REWARDS_POLICY,
  type FanPlay,
  type FanPlayIndex,
  type FanRewardsResult,
  type FanTrackEvents,
  FIRST_PLAYS_KEPT,
  fanTrackEvents,
  type InternedPlays,
  indexFanPlays,
} from '@fairstream/protocol';
import type { FanEpochOutcome, FanRewardsRepository } from '../repositories/fan-rewards.repository.ts';
import type { SettlementRepository } from '../repositories/settlement.repository.ts';

export interface EpochFanRewards {
  index: FanPlayIndex;
  events: FanTrackEvents;
  result: FanRewardsResult;
  /** What the compute step stores with its allocations. */
  outcome: FanEpochOutcome;
  /** Milliseconds per part, for logs and the benchmark. */
  timings: { facts: number; evaluate: number };
}

/** Evaluates epoch n's fan rewards: `plays` are its counted plays, `budget` the FAIR reserved for them. */
export async function evaluateEpochFanRewards(
  fans: FanRewardsRepository,
  settlement: SettlementRepository,
  n: number,
  plays: readonly FanPlay[],
  budget: bigint,
  /** The same plays as integers, from the compute step's shared aggregate (saves string lookups). */
  interned?: InternedPlays,
): Promise<EpochFanRewards> {
  let evaluate = 0;
  const timed = <T>(work: () => T): T => {
    const started = performance.now();
    try {
      return work();
    } finally {
      evaluate += performance.now() - started;
    }
  };
  const started = performance.now();

  // Step 1 and 2: the index, and the tracks' earlier plays each event needs.
  const known = await fans.trackEvents(n, [...new Set(plays.map((play) => play.trackId))]);
  const index = timed(() =>
    indexFanPlays(plays, { trending: known.trending, milestones: known.milestones }, interned),
  );
  const firstPlays = await fans.trackFirstPlays(
    n,
    [...index.tracks.keys()].filter((trackId) => !known.milestones.has(trackId)),
    FIRST_PLAYS_KEPT,
  );
  const dayPlays = await fans.trackDayPlays(
    n,
    [...index.tracks]
      .filter(([trackId]) => !known.trending.has(trackId))
      .flatMap(([trackId, track]) => [...track.days.keys()].map((day) => ({ trackId, day }))),
    DAY_PLAYS_KEPT,
  );
  const trackFacts = { ...known, trackFirstPlays: firstPlays, trackDayPlays: dayPlays };
  const events = timed(() => fanTrackEvents(n, index, trackFacts));

  // Step 3: the active listeners' history, earlier awards and social facts.
  const accounts = [...index.listeners.keys()];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  const singleTrack: string[] = [];
  for (const [account, listener] of index.listeners) {
    from = Math.min(from, listener.days[0]!);
    to = Math.max(to, listener.days[listener.days.length - 1]!);
    if (listener.trackCount === 1) singleTrack.push(account);
  }
  const streak = FAN_REWARDS_POLICY.streakDays - 1;
  const listenerHistory = await fans.listenerHistory(
    n,
    accounts,
    { from: from - streak, to: to + streak },
    singleTrack,
  );
  const awarded = await fans.awarded(n, accounts);
  const { reposts, trending: repostedTrending } = await fans.repostsOfTrending(n, accounts, [
    ...events.trending.keys(),
  ]);
  const played = await fans.playedPairs(
    n,
    [...reposts].flatMap(([listener, list]) => list.map((repost) => ({ listener, trackId: repost.trackId }))),
  );
  const reposted = [...new Set([...reposts.values()].flat().map((repost) => repost.trackId))];
  const recipients = new Map<string, string[]>();
  for (const [trackId, track] of await settlement.trackFacts(reposted))
    recipients.set(
      trackId,
      track.splits.map((split) => split.address.toLowerCase()),
    );
  const firstListenerMilestones = await fans.milestonesOfFirstListeners(n, accounts);
  const without = (rule: string) => accounts.filter((account) => !awarded.has(`${account}|${rule}|once`));
  const profiles = await fans.completeProfiles(without('complete_profile'));
  const playlists = await fans.qualifyingPlaylists(without('first_playlist'));
  const factsMs = performance.now() - started - evaluate;

  const result = timed(() =>
    evaluateFanRewards({
      budget,
      index,
      trackFacts: {
        trending: new Map([...repostedTrending, ...known.trending]),
        milestones: new Map([...firstListenerMilestones, ...known.milestones]),
      },
      events,
      facts: { listenerHistory, awarded, played, recipients, profiles, playlists, reposts },
    }),
  );
  return {
    index,
    events,
    result,
    outcome: {
      awards: result.awards,
      trending: [...events.trending.values()],
      milestones: [...events.milestones.values()],
      summary: fanSummary(result),
    },
    timings: { facts: factsMs, evaluate },
  };
}

/** The epochs table's fan_rewards JSON (amounts as decimal strings). */
export function fanSummary(result: Pick<FanRewardsResult, 'budget' | 'spent' | 'botAccounts'>): string {
  return JSON.stringify({
    version: FAN_REWARDS_POLICY.version,
    sharePpm: FAN_REWARDS_POLICY.sharePpm,
    budget: String(result.budget),
    spent: String(result.spent),
    botAccounts: result.botAccounts,
  });
}
