import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { payoutDistributorAbi, tipsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetOwedParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  from: 'Tips' | 'PayoutDistributor';
  account: Address;
  token: Address;
};

/** The pull balance, in the token's base units. */
export type GetOwedReturnType = bigint;

export type GetOwedErrorType = ChainError | Error;

/** Reads what a contract owes an account after a failed push (withdraw it with `withdrawOwed`). */
export async function getOwed(
  client: PublicClientLike,
  parameters: GetOwedParameters,
): Promise<GetOwedReturnType> {
  const { deployment, from, account, token } = parameters;
  const address = requireContract(deployment, from);
  return from === 'Tips'
    ? readContract(client, { address, abi: tipsAbi, functionName: 'owed', args: [account, token] })
    : readContract(client, {
        address,
        abi: payoutDistributorAbi,
        functionName: 'owed',
        args: [account, token],
      });
}
