import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { getBlock } from 'viem/actions';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type ReleaseSubscriptionsParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  subscribers: readonly Address[];
  /** Release what was earned up to this time (unix seconds; not in the future). Default: the latest block's timestamp. */
  until?: bigint;
};

export type ReleaseSubscriptionsReturnType = TransactionResult & {
  until: bigint;
  /** Everything this call moved into the distributor (funding it), in the stablecoin's base units. */
  released: bigint;
  /** Per subscriber with something new to release, in the vault's event order. */
  bySubscriber: { subscriber: Address; amount: bigint }[];
};

export type ReleaseSubscriptionsErrorType = ChainError;

/**
 * Operator only: releases what each subscriber earned up to `until` and was not released yet into
 * the PayoutDistributor, which counts it as funded. The amounts are exact (the vault's
 * floor(price × elapsed / period), cumulative), so the released total is what a payout epoch may
 * distribute.
 */
export async function releaseSubscriptions(
  client: WalletClientLike,
  parameters: ReleaseSubscriptionsParameters,
): Promise<ReleaseSubscriptionsReturnType> {
  const { deployment, subscribers } = parameters;
  const until = parameters.until ?? (await getBlock(client, { blockTag: 'latest' })).timestamp;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'SubscriptionVault'),
    data: encodeFunctionData({
      abi: subscriptionVaultAbi,
      functionName: 'release',
      args: [subscribers, until],
    }),
    description: `Releasing ${subscribers.length} subscription(s) up to ${until}`,
  });
  const bySubscriber = parseEventLogs({
    abi: subscriptionVaultAbi,
    eventName: 'Released',
    logs: receipt.logs,
  }).map((event) => ({ subscriber: event.args.subscriber, amount: event.args.amount }));
  return {
    ...transactionResult(receipt),
    until,
    released: bySubscriber.reduce((sum, entry) => sum + entry.amount, 0n),
    bySubscriber,
  };
}
