/**
 * The published form of a settled epoch: everything an auditor needs to recompute the two roots the
 * distributor holds (the plays root from every counted play with its signed reports, the payout root
 * from every cumulative leaf) and to check each allocation. Pure functions, shared by the worker and
 * by anyone verifying a published epoch.
 */
import { COUNTING_RULE } from '@fairstream/protocol';
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

/** Amounts are decimal strings: JSON has no bigints and floats would lose base units. */
export interface EpochDataAmount {
  account: string;
  token: string;
  trackId?: string;
  amount: string;
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
  playsRoot: Hex;
  /** Released this epoch per subscriber, and what each carried in from earlier epochs. */
  released: EpochDataAmount[];
  carriedIn: EpochDataAmount[];
  carriedOut: EpochDataAmount[];
  payouts: EpochDataAmount[];
  byTrack: EpochDataAmount[];
  rewards: EpochDataAmount[];
  proRata: EpochDataAmount[];
  /** The cumulative payout leaves (account, token, cumulativeAmount) of the payout root. */
  leaves: { account: string; token: string; cumulativeAmount: string }[];
  payoutRoot: Hex;
  totals: Record<string, string>;
}

export function buildEpochData(input: Omit<EpochData, 'format' | 'rule'>): EpochData {
  return { format: EPOCH_DATA_FORMAT, rule: { version: COUNTING_RULE.version }, ...input };
}

/** Deterministic bytes: the same epoch always gives the same CID, so a redone publish is the same blob. */
export function encodeEpochData(data: EpochData): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(data, null, 1)}\n`);
}
