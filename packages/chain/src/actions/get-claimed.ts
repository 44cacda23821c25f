import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetClaimedParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  account: Address;
  token: Address;
  blockNumber?: bigint;
};

/** The cumulative amount already claimed, in the token's base units. */
export type GetClaimedReturnType = bigint;

export type GetClaimedErrorType = ChainError | Error;

/** Reads how much of an account's cumulative payout in a token has been claimed. */
export async function getClaimed(
  client: PublicClientLike,
  parameters: GetClaimedParameters,
): Promise<GetClaimedReturnType> {
  const { deployment, account, token, blockNumber } = parameters;
  return readContract(client, {
    address: requireContract(deployment, 'PayoutDistributor'),
    abi: payoutDistributorAbi,
    functionName: 'claimed',
    args: [account, token],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
}
