/**
 * What to tell a person when a promotion, a fan drop or a claim fails: the chain actions' errors name
 * the contract's own refusal with its arguments ("…failed: InsufficientBalance(5, 10)"), which is
 * said here as what happened and what to do, with FAIR amounts exact. Pure, so it is unit-tested.
 */
import { formatUnits } from '../lib/format.ts';
import { transactionErrorMessage } from './chain.ts';

export type ChainAction = 'promote' | 'drop' | 'claim';

const FAIR_DECIMALS = 18;
const fair = (amount: string) => `${formatUnits(BigInt(amount), FAIR_DECIMALS)} FAIR`;
const when = (seconds: string) => new Date(Number(seconds) * 1000).toLocaleString();

/** Nothing moved when the contract refused before anything was sent; say so where it matters. */
const NOTHING: Record<ChainAction, string> = {
  promote: 'Nothing was paid.',
  drop: 'Nothing was sent.',
  claim: 'Nothing was claimed.',
};

type Rule = (args: string[], action: ChainAction) => string;

const RULES: Record<string, Rule> = {
  NotTrackOwner: ([, caller]) =>
    `This track is not yours: only its owner can promote it (your wallet is ${caller}). Nothing was paid.`,
  InsufficientBalance: ([balance, cost], action) =>
    action === 'drop'
      ? `You hold ${fair(balance!)}, less than the ${fair(cost!)} to reward. Nothing was sent.`
      : `Not enough FAIR: this costs ${fair(cost!)} and your wallet holds ${fair(balance!)}. Nothing was paid; choose fewer days or get more FAIR.`,
  ERC20InsufficientBalance: ([, balance, needed], action) =>
    `Not enough FAIR: this needs ${fair(needed!)} and your wallet holds ${fair(balance!)}. ${NOTHING[action]}`,
  PeriodTooLong: ([, latestEnd]) =>
    `A promotion may end at most 90 days from now (${when(latestEnd!)}), and the running one already ends too late for that many more days. Buy fewer days. Nothing was paid.`,
  TooManyDays: ([days, max]) => `A promotion lasts at most ${max} days, not ${days}. Nothing was paid.`,
  ZeroDays: () => 'Choose at least one day. Nothing was paid.',
  UnknownTrack: () =>
    'This track is not on the ledger yet: promote it once its registration is done. Nothing was paid.',
  PaymentTooLow: ([, cost]) =>
    `The price changed while you were choosing: it now costs ${fair(cost!)}. Check the new price and try again. Nothing was paid.`,
  ReasonTooLong: ([length]) =>
    `The reason is ${length} bytes long; it may be at most 256 (a short sentence). Nothing was sent.`,
  InvalidRecipients: ([recipients, total]) =>
    `A drop of ${total} base units cannot pay ${recipients} fans at least one base unit each. Nothing was sent.`,
  InvalidClaimWindow: () => 'The claim window must be 1 to 365 days. Nothing was sent.',
  DropExpired: ([, expiresAt]) =>
    `This drop's claims closed on ${when(expiresAt!)}: what is left went back to its artist. Nothing was claimed.`,
  AlreadyClaimed: () => 'This reward was already paid to your wallet: there is nothing left to claim.',
  InvalidProof: () =>
    'The chain refused the proof of this reward: the node’s copy of the drop does not match it. Nothing was claimed; tell the node’s operator.',
  UnknownDrop: ([dropId]) => `There is no drop ${dropId} on this chain. Nothing was claimed.`,
};

/** The first `Name(arg, arg…)` a contract error is written as in a chain action's message. */
export function contractError(message: string): { name: string; args: string[] } | undefined {
  for (const match of message.matchAll(/\b([A-Z][A-Za-z0-9]*)\(([^()]*)\)/g)) {
    const name = match[1]!;
    if (!(name in RULES)) continue;
    const args = match[2]!.trim() === '' ? [] : match[2]!.split(',').map((arg) => arg.trim());
    return { name, args };
  }
  return undefined;
}

/** Whether the person declined in their wallet (EIP-1193 code 4001), anywhere in the error's causes. */
function rejected(error: unknown): boolean {
  for (let node = error, depth = 0; node && typeof node === 'object' && depth < 10; depth++) {
    const { code, name } = node as { code?: unknown; name?: unknown };
    if (code === 4001 || name === 'UserRejectedRequestError') return true;
    node = (node as { cause?: unknown }).cause;
  }
  return false;
}

export function explainChainError(error: unknown, action: ChainAction): string {
  if (rejected(error)) return `You declined in your wallet. ${NOTHING[action]}`;
  const message =
    error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
  const known = contractError(message);
  if (known) return RULES[known.name]!(known.args, action);
  const short = (error as { shortMessage?: unknown })?.shortMessage;
  if (error instanceof Error && error.name === 'ChainError' && typeof short === 'string') return short;
  return transactionErrorMessage(error);
}
