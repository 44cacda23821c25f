import { AllocationError, largestRemainder } from './largest-remainder.ts';

/** A fan and what they earned a share by: their counted plays over the chosen period. */
export type FanPlays = { account: string; plays: number };

/** A fan's part of a drop, in token base units. */
export type FanDropShare = FanPlays & { amount: bigint };

/**
 * Divides `total` base units among fans in proportion to their counted plays, exactly: largest
 * remainder, so the parts add up to `total` to the unit. Fans are ordered by plays (most first), ties
 * by account, which is also how leftover units are given (ties to the earlier fan). A fan whose part
 * rounds to zero (a total smaller than the number of fans) is left out, since a drop cannot pay zero;
 * the others still add up to `total`. Fans are listed once each, with a positive whole number of plays.
 */
export function fanDropShares(total: bigint, fans: readonly FanPlays[]): FanDropShare[] {
  if (total <= 0n) throw new AllocationError(`A fan reward must be more than 0 base units (got ${total})`);
  if (fans.length === 0) throw new AllocationError('A fan reward needs at least one fan with counted plays');
  const seen = new Set<string>();
  for (const fan of fans) {
    const key = fan.account.toLowerCase();
    if (seen.has(key)) throw new AllocationError(`${fan.account} is listed twice`);
    seen.add(key);
    if (!Number.isSafeInteger(fan.plays) || fan.plays <= 0) {
      throw new AllocationError(`${fan.account} has ${fan.plays} counted plays; each fan needs at least one`);
    }
  }
  const ordered = [...fans].sort(
    (a, b) =>
      b.plays - a.plays ||
      (a.account.toLowerCase() < b.account.toLowerCase()
        ? -1
        : a.account.toLowerCase() > b.account.toLowerCase()
          ? 1
          : 0),
  );
  const amounts = largestRemainder(
    total,
    ordered.map((fan) => fan.plays),
  );
  return ordered
    .map((fan, i) => ({ account: fan.account, plays: fan.plays, amount: amounts[i] ?? 0n }))
    .filter((share) => share.amount > 0n);
}
