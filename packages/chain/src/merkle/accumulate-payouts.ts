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
  // Keyed by lower case. Each address is checksummed once (a keccak each): most accounts have a leaf
  // in both tokens, and the two tokens are in every leaf.
  const leaves = new Map<string, PayoutLeaf>();
  const checksums = new Map<string, Address>();
  const checksummed = (raw: string, lower: string): Address => {
    let address = checksums.get(lower);
    if (address === undefined) {
      address = checksumAddress(raw);
      checksums.set(lower, address);
    }
    return address;
  };
  const add = (rawAccount: string, rawToken: string, amount: bigint) => {
    if (amount < 0n) throw new Error(`Negative payout for ${rawAccount} in ${rawToken}`);
    const account = rawAccount.toLowerCase();
    const token = rawToken.toLowerCase();
    const key = `${account}:${token}`;
    const leaf = leaves.get(key);
    if (leaf) leaf.cumulativeAmount += amount;
    else {
      leaves.set(key, {
        account: checksummed(rawAccount, account),
        token: checksummed(rawToken, token),
        cumulativeAmount: amount,
      });
    }
  };
  for (const leaf of previous) add(leaf.account, leaf.token, leaf.cumulativeAmount);
  for (const { account, token, amount } of amounts) add(account, token, amount);
  return [...leaves.values()];
}
