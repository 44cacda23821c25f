import {
  dayNumberOf,
  dayNumberOfString,
  dayString,
  FAN_REWARD_RULES,
  FAN_REWARDS_POLICY,
  type FanRewardRuleId,
  isoWeekOf,
  periodKey,
} from '@fairstream/protocol';
import type { FanRewardsRepository } from '../repositories/fan-rewards.repository.ts';

export interface FanRewardItem {
  epoch: number;
  rule: string;
  title: string;
  period: string;
  token: string;
  amount: string;
  reason: string;
  evidence: unknown;
  /** paid: its epoch's claims landed; pending: published, claims under way. */
  status: 'paid' | 'pending';
  awardedAt: number;
}

export interface RuleProgress {
  rule: FanRewardRuleId;
  title: string;
  amount: string;
  period: 'once' | 'week' | 'track';
  /** The period an award now would be for ('once', 'week:2025-W02'); null for per-track rules. */
  currentPeriod: string | null;
  /** Earned for the current period (for once-ever rules: ever). */
  earned: boolean;
  /** Awards of the rule so far. */
  awards: number;
  progress: { current: number; target: number } | null;
  detail: string;
}

/**
 * Fan rewards as their owners see them. Read-only: awards only ever come from the settlement of an
 * epoch (settlement-worker.ts), so no request can claim one.
 */
export class FanRewardsService {
  readonly #repo: FanRewardsRepository;
  readonly #fair: string;

  constructor(repo: FanRewardsRepository, options: { fairToken: string }) {
    this.#repo = repo;
    this.#fair = options.fairToken.toLowerCase();
  }

  /** Every award of an address, newest epoch first, with totals (FAIR base units). */
  async awards(address: string) {
    const account = address.toLowerCase();
    const rows = await this.#repo.awardsOf(account);
    let paid = 0n;
    let pending = 0n;
    const items: FanRewardItem[] = rows.map((row) => {
      const status = row.state === 'done' ? 'paid' : 'pending';
      if (status === 'paid') paid += BigInt(row.amount);
      else pending += BigInt(row.amount);
      return {
        epoch: Number(row.epoch),
        rule: row.rule,
        title: FAN_REWARD_RULES.find((rule) => rule.id === row.rule)?.title ?? row.rule,
        period: row.period,
        token: this.#fair,
        amount: row.amount,
        reason: row.reason,
        evidence: JSON.parse(row.evidence),
        status,
        awardedAt: Number(row.created_at),
      };
    });
    return {
      address: account,
      token: this.#fair,
      items,
      totals: { amount: String(paid + pending), paid: String(paid), pending: String(pending) },
    };
  }

  /** How far an account is toward each rule, from the published plays and its own data. */
  async progress(address: string, now = Date.now()) {
    const account = address.toLowerCase();
    const awards = await this.#repo.awardsOf(account);
    const count = (rule: string) => awards.filter((award) => award.rule === rule).length;
    const has = (rule: string, period: string) =>
      awards.some((award) => award.rule === rule && award.period === period);
    const today = dayNumberOf(now);
    const week = periodKey('week', isoWeekOf(today));
    const rules: RuleProgress[] = [];
    for (const rule of FAN_REWARD_RULES) {
      const base = {
        rule: rule.id,
        title: rule.title,
        amount: String(rule.amount),
        period: rule.period,
        awards: count(rule.id),
      };
      switch (rule.id) {
        case 'listening_streak': {
          const days = new Set(
            (await this.#repo.countedDays(account, dayString(today - 14))).map(dayNumberOfString),
          );
          // A streak is alive while yesterday or today has a counted play.
          let end = days.has(today) ? today : today - 1;
          let run = 0;
          while (days.has(end)) {
            run++;
            end--;
          }
          const target = FAN_REWARDS_POLICY.streakDays;
          rules.push({
            ...base,
            currentPeriod: week,
            earned: has(rule.id, week),
            progress: { current: Math.min(run, target), target },
            detail:
              run === 0
                ? 'No counted play yesterday or today: a streak starts with your next counted play.'
                : `${run} consecutive UTC day${run === 1 ? '' : 's'} with counted plays${days.has(today) ? ', today included' : '; play today to keep it'}.`,
          });
          break;
        }
        case 'first_listener':
          rules.push({
            ...base,
            currentPeriod: null,
            earned: base.awards > 0,
            progress: null,
            detail: `Be one of the first ${FAN_REWARDS_POLICY.firstListeners} listeners of a track that reaches ${FAN_REWARDS_POLICY.milestonePlays} counted plays.`,
          });
          break;
        case 'tastemaker': {
          const reposts = await this.#repo.repostsWithTrending(account);
          const watching = reposts.filter((repost) => repost.trendingAt === null).length;
          rules.push({
            ...base,
            currentPeriod: null,
            earned: base.awards > 0,
            progress: null,
            detail: `${watching} of your reposts ${watching === 1 ? 'is' : 'are'} of tracks that have not entered trending yet.`,
          });
          break;
        }
        case 'first_playlist': {
          const tracks = await this.#repo.largestPublicPlaylist(account);
          const target = FAN_REWARDS_POLICY.playlistMinTracks;
          rules.push({
            ...base,
            currentPeriod: 'once',
            earned: has(rule.id, 'once'),
            progress: { current: Math.min(tracks, target), target },
            detail:
              tracks >= target
                ? 'You have a public playlist with enough tracks.'
                : `Your largest public playlist has ${tracks} track${tracks === 1 ? '' : 's'}; ${target} are needed.`,
          });
          break;
        }
        case 'complete_profile': {
          const fields = await this.#repo.profileFields(account);
          const names = {
            handle: 'handle',
            displayName: 'display name',
            avatar: 'avatar',
            bio: 'bio',
          } as const;
          const missing = (Object.keys(names) as (keyof typeof names)[]).filter((field) => !fields[field]);
          rules.push({
            ...base,
            currentPeriod: 'once',
            earned: has(rule.id, 'once'),
            progress: { current: 4 - missing.length, target: 4 },
            detail:
              missing.length === 0
                ? 'Your profile is complete.'
                : `Missing: ${missing.map((field) => names[field]).join(', ')}.`,
          });
          break;
        }
      }
    }
    return {
      address: account,
      rules,
      note: 'Awards are made when an epoch settles in which you have counted plays, at most once per rule and period.',
    };
  }
}
