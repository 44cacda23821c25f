import type { Address } from 'viem';
import { getBlock, readContract } from 'viem/actions';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetSubscriptionParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  subscriber: Address;
  /** Also compute what was earned by this time (unix seconds). Default: the latest block's timestamp. */
  at?: bigint;
};

export type GetSubscriptionReturnType = {
  /** First second of the current segment; zero when never subscribed. */
  start: bigint;
  /** End (exclusive) of the subscription; zero when never subscribed. */
  end: bigint;
  /** Everything paid, net of refunds. */
  paid: bigint;
  /** Everything released to the distributor. */
  released: bigint;
  /** Cumulative earned by `at` (released or not). */
  earned: bigint;
  /** Whether the subscription runs at `at`. */
  active: boolean;
  at: bigint;
};

export type GetSubscriptionErrorType = ChainError | Error;

/** Reads a subscriber's subscription and what it has earned so far. */
export async function getSubscription(
  client: PublicClientLike,
  parameters: GetSubscriptionParameters,
): Promise<GetSubscriptionReturnType> {
  const { deployment, subscriber } = parameters;
  const vault = requireContract(deployment, 'SubscriptionVault');
  const at = parameters.at ?? (await getBlock(client, { blockTag: 'latest' })).timestamp;
  const [[start, end, paid, released], earned] = await Promise.all([
    readContract(client, {
      address: vault,
      abi: subscriptionVaultAbi,
      functionName: 'subscriptionOf',
      args: [subscriber],
    }),
    readContract(client, {
      address: vault,
      abi: subscriptionVaultAbi,
      functionName: 'earned',
      args: [subscriber, at],
    }),
  ]);
  return { start, end, paid, released, earned, active: at < end, at };
}
