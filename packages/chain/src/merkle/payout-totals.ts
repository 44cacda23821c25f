import type { Address } from 'viem';
import type { PayoutLeaf } from './payout-tree.ts';

/**
 * Each token's cumulative total over the leaves, tokens ascending: the `tokens`/`cumulativeTotals`
 * that `publishEpoch` takes (the distributor refuses a total above what it was funded).
 */
export function payoutTotals(leaves: readonly PayoutLeaf[]): { token: Address; total: bigint }[] {
  const totals = new Map<string, { token: Address; total: bigint }>();
  for (const { token, cumulativeAmount } of leaves) {
    const key = token.toLowerCase();
    const entry = totals.get(key) ?? { token, total: 0n };
    entry.total += cumulativeAmount;
    totals.set(key, entry);
  }
  return [...totals.values()].sort((a, b) => (BigInt(a.token) < BigInt(b.token) ? -1 : 1));
}
