import { type Address, getAddress } from 'viem';
import type { PayoutLeaf } from './payout-tree.ts';

/**
 * The next epoch's cumulative leaves: the previous epoch's leaves plus this epoch's amounts (several
 * amounts for one account and token add up). Cumulative amounts only grow, so a claim of the new
 * epoch pays exactly what was added since the account last claimed.
 */
export function accumulatePayouts(
  previous: readonly PayoutLeaf[],
  amounts: readonly { account: Address; token: Address; amount: bigint }[],
): PayoutLeaf[] {
  const leaves = new Map<string, PayoutLeaf>();
  for (const leaf of previous) {
    const account = getAddress(leaf.account);
    const token = getAddress(leaf.token);
    leaves.set(`${account}:${token}`, { account, token, cumulativeAmount: leaf.cumulativeAmount });
  }
  for (const { account: rawAccount, token: rawToken, amount } of amounts) {
    if (amount < 0n) throw new Error(`Negative payout for ${rawAccount} in ${rawToken}`);
    const account = getAddress(rawAccount);
    const token = getAddress(rawToken);
    const key = `${account}:${token}`;
    const leaf = leaves.get(key) ?? { account, token, cumulativeAmount: 0n };
    leaves.set(key, { ...leaf, cumulativeAmount: leaf.cumulativeAmount + amount });
  }
  return [...leaves.values()];
}
