/**
 * Rewarding an artist's top fans, before anything is sent: the form's inputs checked as
 * `fairstream reward-fans` checks its flags, and the drop planned exactly as it plans it (each fan's
 * share of the amount by counted plays, largest remainder, in base units). Pure: unit-tested.
 */
import { fanDropShares } from '@fairstream/protocol';
import type { paths } from '@fairstream/sdk';
import { getAddress } from 'viem';
import { formatUnits } from '../lib/format.ts';
import { parseAmount } from '../wallet/amounts.ts';

export type TopFans = paths['/api/v1/me/top-fans']['get']['responses'][200]['content']['application/json'];
export type TopFan = TopFans['fans'][number];

const FAIR_DECIMALS = 18;
export const MAX_TOP_FANS = 10_000;
export const DEFAULT_CLAIM_DAYS = 90;
export const MAX_REASON_BYTES = 256;

const fair = (amount: bigint) => `${formatUnits(amount, FAIR_DECIMALS)} FAIR`;

/** The amount to give, exactly: more than zero, and no more than the wallet holds (when known). */
export function checkRewardAmount(
  text: string,
  held: bigint | undefined,
): { amount: bigint } | { error: string } {
  const parsed = parseAmount(text, FAIR_DECIMALS, 'FAIR');
  if ('error' in parsed) return parsed;
  if (held !== undefined && parsed.amount > held) {
    return {
      error: `You hold ${fair(held)}, less than the ${fair(parsed.amount)} to reward. Nothing was sent.`,
    };
  }
  return parsed;
}

/** How many top fans: a whole number from 1 to 10,000. */
export function parseTopFans(text: string): { top: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > MAX_TOP_FANS) {
    return { error: `Enter how many fans as a whole number from 1 to ${MAX_TOP_FANS.toLocaleString('en')}.` };
  }
  return { top: Number(trimmed) };
}

/** The claim window in whole days, 1 to 365 (FanDrops' bounds). */
export function parseClaimDays(text: string): { days: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 365) {
    return { error: 'Enter how long fans can claim as a whole number of days from 1 to 365.' };
  }
  return { days: Number(trimmed) };
}

/**
 * The period's first day, YYYY-MM-DD in UTC, as Unix ms; empty means all time. A day in the future
 * is refused (no plays there yet).
 */
export function parseSince(
  text: string,
  now = Date.now(),
): { since: number | undefined } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { since: undefined };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== trimmed) {
    return {
      error: `“${trimmed.slice(0, 20)}” is not a date: use YYYY-MM-DD, or leave it empty for all time.`,
    };
  }
  if (at > now) return { error: `${trimmed} is in the future: there are no plays to count yet.` };
  return { since: at };
}

/** "all time" or "since 2025-01-01": how the reason and the messages name the period. */
export function periodText(since: number | undefined): string {
  return since === undefined ? 'all time' : `since ${new Date(since).toISOString().slice(0, 10)}`;
}

/** The reason the CLI gives when none is typed. */
export function defaultReason(fans: number, since: number | undefined): string {
  return `Top ${fans} fans by counted plays (${periodText(since)}): thank you for listening`;
}

/** Why a reason cannot go on-chain (FanDrops takes at most 256 bytes), or undefined. */
export function reasonError(reason: string): string | undefined {
  const bytes = new TextEncoder().encode(reason).length;
  return bytes > MAX_REASON_BYTES
    ? `The reason is ${bytes} bytes long; it may be at most ${MAX_REASON_BYTES} (about a sentence or two).`
    : undefined;
}

export interface PlannedShare {
  /** Where the FAIR goes (checksummed). */
  account: `0x${string}`;
  /** False for a fan who chose not to be named among top fans: shown without their address. */
  named: boolean;
  plays: number;
  amount: bigint;
}

export interface DropPlan {
  shares: PlannedShare[];
  total: bigint;
  /** Fans listed whose share rounds to zero base units, left out (the others still add up). */
  leftOut: number;
  reason: string;
}

/**
 * Who gets what: the amount divided among the fans by counted plays, exactly (largest remainder,
 * adding up to the amount to the base unit), in the order the drop lists them. No fans is an error.
 */
export function planDrop(
  amount: bigint,
  fans: readonly TopFan[],
  since: number | undefined,
  reason: string,
): DropPlan | { error: string } {
  if (fans.length === 0) {
    return {
      error: `No listener has a counted play on your tracks (${periodText(since)}): there is no one to reward yet.`,
    };
  }
  const named = new Map(fans.map((fan) => [fan.recipient.toLowerCase(), fan.address !== null]));
  const shares = fanDropShares(
    amount,
    fans.map((fan) => ({ account: getAddress(fan.recipient), plays: fan.plays })),
  ).map((share) => ({
    account: share.account as `0x${string}`,
    named: named.get(share.account.toLowerCase()) ?? true,
    plays: share.plays,
    amount: share.amount,
  }));
  const text = reason.trim() || defaultReason(shares.length, since);
  const tooLong = reasonError(text);
  if (tooLong) return { error: tooLong };
  return {
    shares,
    total: shares.reduce((sum, share) => sum + share.amount, 0n),
    leftOut: fans.length - shares.length,
    reason: text,
  };
}
