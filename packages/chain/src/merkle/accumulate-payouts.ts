import type { Address } from 'viem';
import { checksumAddress } from './checksum-address.ts';
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
  // Keyed by lower case; each leaf's addresses are checksummed once, when the leaf is first seen.
  const leaves = new Map<string, PayoutLeaf>();
  const add = (rawAccount: string, rawToken: string, amount: bigint) => {
    if (amount < 0n) throw new Error(`Negative payout for ${rawAccount} in ${rawToken}`);
    const key = `${rawAccount.toLowerCase()}:${rawToken.toLowerCase()}`;
    const leaf = leaves.get(key);
    if (leaf) leaf.cumulativeAmount += amount;
    else {
      leaves.set(key, {
        account: checksumAddress(rawAccount),
        token: checksumAddress(rawToken),
        cumulativeAmount: amount,
      });
    }
  };
  for (const leaf of previous) add(leaf.account, leaf.token, leaf.cumulativeAmount);
  for (const { account, token, amount } of amounts) add(account, token, amount);
  return [...leaves.values()];
}
