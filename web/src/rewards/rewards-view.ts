/** The Rewards page's wording and figures, from the node's answers: pure, so it is unit-tested. */
import type { paths } from '@fairstream/sdk';
import { formatUnits } from '../lib/format.ts';

export type Rules = paths['/api/v1/rules']['get']['responses'][200]['content']['application/json'];
export type FanRewardRule = Rules['fanRewards']['rules'][number];
export type RewardsProgress =
  paths['/api/v1/me/rewards/progress']['get']['responses'][200]['content']['application/json'];
export type RuleProgress = RewardsProgress['rules'][number];
export type Awards =
  paths['/api/v1/accounts/{address}/rewards']['get']['responses'][200]['content']['application/json'];
export type Award = Awards['items'][number];

const FAIR_DECIMALS = 18;

/** "5 FAIR", exactly, from base units. */
export function fairAmount(baseUnits: string | bigint): string {
  return `${formatUnits(baseUnits, FAIR_DECIMALS)} FAIR`;
}

/** How often a rule can be earned. */
export function periodLabel(period: FanRewardRule['period']): string {
  if (period === 'once') return 'Once ever';
  if (period === 'week') return 'Once a week (ISO week, Monday to Sunday, UTC)';
  return 'Once per track';
}

/** The rule's caps per epoch: "At most 2,000 awards and 10,000 FAIR per epoch". */
export function capLabel(rule: Pick<FanRewardRule, 'maxAwardsPerEpoch' | 'maxAmountPerEpoch'>): string {
  const awards = rule.maxAwardsPerEpoch;
  return `At most ${awards.toLocaleString('en')} ${awards === 1 ? 'award' : 'awards'} and ${fairAmount(rule.maxAmountPerEpoch)} per epoch`;
}

/** What an award of the rule rests on, as an auditor sees it. */
export function evidenceLabel(evidence: FanRewardRule['evidence']): string {
  return evidence === 'plays'
    ? 'Recomputed by anyone from the published plays (fairstream verify)'
    : 'Rests on facts the node publishes with each award, which fairstream verify checks';
}

/** An award's period key said plainly: "once", "week 2025-W02", "a track". */
export function awardPeriodLabel(period: string): string {
  if (period === 'once') return 'once';
  if (period.startsWith('week:')) return `week ${period.slice(5)}`;
  if (period.startsWith('track:')) return 'a track';
  return period;
}

/** "3 of 7", and the fraction for a progress bar (0 to 1). */
export function progressLabel(progress: { current: number; target: number }): string {
  return `${progress.current.toLocaleString('en')} of ${progress.target.toLocaleString('en')}`;
}

/** The progress of each rule by its id, for the rules list. */
export function progressByRule(progress: RewardsProgress | undefined): Map<string, RuleProgress> {
  return new Map((progress?.rules ?? []).map((rule) => [rule.rule, rule]));
}
