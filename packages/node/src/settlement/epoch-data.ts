/**
 * The published form of a settled epoch: everything an auditor needs to recompute the two roots the
 * distributor holds (the plays root from every counted play with its signed reports, the payout root
 * from every cumulative leaf), to check each allocation, and to check that every report was signed
 * under a session key its listener's wallet delegated (the delegations). Pure functions, shared by
 * the worker and by anyone verifying a published epoch: `@fairstream/node/epoch-data` exports this module
 * alone, which is browser-safe, for `fairstream verify` and the web app's ledger explorer.
 */
import {
  COUNTING_RULE,
  FAN_REWARD_RULE_IDS,
  type FanAwardEvidence,
  type Milestone,
  type SignedAppRegistration,
  type SignedSessionKeyDelegation,
  sessionKeyCoverage,
  type TrendingEntry,
} from '@fairstream/protocol';
import { type Hex, zeroHash } from 'viem';
import { buildPlaysTree } from './plays-tree.ts';

export const EPOCH_DATA_FORMAT = 'fairstream-epoch/1';

/**
 * The plays root of an epoch without counted plays. A standard Merkle tree has no empty tree, and the
 * distributor accepts any plays root, so the defined "no plays" root is zero.
 */
export const EMPTY_PLAYS_ROOT: Hex = zeroHash;

export interface CountedPlayLeaf {
  playId: string;
  listener: string;
  trackId: string;
  heardMs: number;
  firstStartedAt: number;
}

export function playsRootOf(plays: readonly CountedPlayLeaf[]): Hex {
  if (plays.length === 0) return EMPTY_PLAYS_ROOT;
  return buildPlaysTree(plays).root;
}

export interface EpochDataReport {
  id: string;
  sessionKey: string;
  segments: [number, number][];
  startedAt: number;
  endedAt: number;
  source: string;
  appId: string | null;
  signature: string;
}

export interface EpochDataPlay extends CountedPlayLeaf {
  wallMs: number;
  reports: EpochDataReport[];
}

/**
 * A session-key delegation as the listener's wallet signed it: the fields of
 * sessionKeyDelegationMessage (domain, address, sessionKey, chainId, issuedAt, expiresAt; the address
 * lower-case) and the wallet's personal_sign signature of that message.
 */
export type EpochDataDelegation = SignedSessionKeyDelegation;

/** Amounts are decimal strings: JSON has no bigints and floats would lose base units. */
export interface EpochDataAmount {
  account: string;
  token: string;
  trackId?: string;
  amount: string;
}

/** A fan reward as published: one per (account, rule, period), ever. */
export interface EpochDataFanAward {
  account: string;
  rule: string;
  period: string;
  /** FAIR base units, decimal. */
  amount: string;
  reason: string;
  evidence: FanAwardEvidence;
}

/**
 * The epoch's fan rewards (protocol's rewards/rules.ts at `version`): the budget (sharePpm of
 * totals.rewardsAvailable), what the awards spent (the rest went to the artists as `rewards`), every
 * award with its evidence, the tracks that entered trending or reached their milestone in this epoch,
 * and the active listeners left out as the bot pattern.
 */
export interface EpochDataFanRewards {
  version: number;
  sharePpm: number;
  budget: string;
  spent: string;
  /** In serving order: rule order, then period, then account (sortAwards). */
  awards: EpochDataFanAward[];
  /** By trackId. */
  trending: TrendingEntry[];
  /** By trackId. */
  milestones: Milestone[];
  /** Ascending. */
  botAccounts: string[];
}

/** What an app delivered and earned in the epoch. */
export interface EpochDataAppEarning {
  appId: string;
  /** Lower case: the account paid. */
  owner: string;
  countedPlays: number;
  listeners: number;
  /** FAIR base units, decimal. */
  amount: string;
}

/**
 * The epoch's app rewards (protocol's rewards/apps.ts at `version`): the budget (sharePpm of
 * totals.rewardsAvailable), what the apps earned (the rest went to the artists as `rewards`), each
 * app that delivered a counted play with its owner's signed registration.
 */
export interface EpochDataAppRewards {
  version: number;
  sharePpm: number;
  budget: string;
  spent: string;
  /** By appId. */
  apps: SignedAppRegistration[];
  /** By appId. */
  byApp: EpochDataAppEarning[];
}

export interface EpochData {
  format: typeof EPOCH_DATA_FORMAT;
  chainId: number;
  epoch: number;
  /** Chain time, Unix ms: [startsAt, endsAt). */
  startsAt: number;
  endsAt: number;
  rule: { version: number };
  feePpm: number;
  tokens: { stablecoin: string; fair: string };
  plays: EpochDataPlay[];
  /**
   * The delegation each report of `plays` was signed under, each once, sorted by session key, then
   * issuedAt and expiresAt. Absent from data published before nodes included it (the format is the
   * same otherwise, so the version did not change).
   */
  delegations?: EpochDataDelegation[];
  playsRoot: Hex;
  /** Released this epoch per subscriber, and what each carried in from earlier epochs. */
  released: EpochDataAmount[];
  carriedIn: EpochDataAmount[];
  carriedOut: EpochDataAmount[];
  payouts: EpochDataAmount[];
  byTrack: EpochDataAmount[];
  rewards: EpochDataAmount[];
  proRata: EpochDataAmount[];
  /**
   * Fan rewards, paid in FAIR through the same leaves. Absent from data published before nodes
   * had them (the format is the same otherwise, so the version did not change).
   */
  fanRewards?: EpochDataFanRewards;
  /** App rewards, paid in FAIR through the same leaves; absent from data published before nodes had them. */
  appRewards?: EpochDataAppRewards;
  /** The cumulative payout leaves (account, token, cumulativeAmount) of the payout root. */
  leaves: { account: string; token: string; cumulativeAmount: string }[];
  payoutRoot: Hex;
  totals: Record<string, string>;
}

export function buildEpochData(
  input: Omit<EpochData, 'format' | 'rule' | 'delegations'> & { delegations: EpochDataDelegation[] },
): EpochData {
  return { format: EPOCH_DATA_FORMAT, rule: { version: COUNTING_RULE.version }, ...input };
}

/** Awards in serving order: rule order (FAN_REWARD_RULE_IDS), then period, then account. */
export function sortAwards<T extends { rule: string; period: string; account: string }>(
  awards: readonly T[],
): T[] {
  const order = (rule: string) => {
    const index = (FAN_REWARD_RULE_IDS as readonly string[]).indexOf(rule);
    return index === -1 ? FAN_REWARD_RULE_IDS.length : index;
  };
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...awards].sort(
    (a, b) => order(a.rule) - order(b.rule) || compare(a.period, b.period) || compare(a.account, b.account),
  );
}

/**
 * The delegations the counted plays' reports were signed under, each once: for each report, the
 * earliest of its session key's delegations by the play's listener that covers the report
 * (sessionKeyCoverage), so a later renewal never changes the choice. A report no delegation covers
 * gets the key's latest one by its listener (and none when there is none), so that verify names what
 * is wrong rather than a missing entry.
 */
export function delegationsForPlays(
  plays: readonly Pick<EpochDataPlay, 'listener' | 'reports'>[],
  known: readonly EpochDataDelegation[],
): EpochDataDelegation[] {
  const byKey = new Map<string, EpochDataDelegation[]>();
  for (const delegation of [...known].sort(byKeyAndTime)) {
    const key = `${delegation.address.toLowerCase()}|${delegation.sessionKey}`;
    const list = byKey.get(key);
    if (list) list.push(delegation);
    else byKey.set(key, [delegation]);
  }
  const chosen = new Set<EpochDataDelegation>();
  for (const play of plays) {
    for (const report of play.reports) {
      const candidates = byKey.get(`${play.listener.toLowerCase()}|${report.sessionKey}`);
      if (!candidates) continue;
      chosen.add(
        candidates.find((delegation) => sessionKeyCoverage(delegation, report) === 'covered') ??
          candidates[candidates.length - 1]!,
      );
    }
  }
  return [...chosen].sort(byKeyAndTime);
}

function byKeyAndTime(a: EpochDataDelegation, b: EpochDataDelegation): number {
  return (
    (a.sessionKey < b.sessionKey ? -1 : a.sessionKey > b.sessionKey ? 1 : 0) ||
    a.issuedAt - b.issuedAt ||
    a.expiresAt - b.expiresAt
  );
}

/** Deterministic bytes: the same epoch always gives the same CID, so a redone publish is the same blob. */
export function encodeEpochData(data: EpochData): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(data, null, 1)}\n`);
}
