import { type Address, erc20Abi, type TypedDataDomain } from 'viem';
import { readContract } from 'viem/actions';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { readPermitDomain } from './internal/permit.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetSubscriptionTermsParameters = { deployment: Pick<Deployment, 'contracts'> };

export type GetSubscriptionTermsReturnType = {
  vault: Address;
  /** The stablecoin subscriptions are paid in. */
  token: Address;
  symbol: string;
  decimals: number;
  /** Price of one period, in the token's base units. */
  pricePerPeriod: bigint;
  periodSeconds: bigint;
  /** The EIP-712 domain of the token's permits (only the fields it uses), for `permitTypedData`. */
  permitDomain: TypedDataDomain;
};

export type GetSubscriptionTermsErrorType = ChainError | Error;

/**
 * Reads what a subscription costs and what a subscriber signs to pay for one with a permit. All of
 * it is fixed at deployment (the vault's terms are immutable, as is the token's domain), so callers
 * may keep the answer.
 */
export async function getSubscriptionTerms(
  client: PublicClientLike,
  parameters: GetSubscriptionTermsParameters,
): Promise<GetSubscriptionTermsReturnType> {
  const vault = requireContract(parameters.deployment, 'SubscriptionVault');
  const [token, pricePerPeriod, periodSeconds] = await Promise.all([
    readContract(client, { address: vault, abi: subscriptionVaultAbi, functionName: 'token' }),
    readContract(client, { address: vault, abi: subscriptionVaultAbi, functionName: 'pricePerPeriod' }),
    readContract(client, { address: vault, abi: subscriptionVaultAbi, functionName: 'periodSeconds' }),
  ]);
  const [symbol, decimals, permitDomain] = await Promise.all([
    readContract(client, { address: token, abi: erc20Abi, functionName: 'symbol' }),
    readContract(client, { address: token, abi: erc20Abi, functionName: 'decimals' }),
    readPermitDomain(client, token),
  ]);
  return { vault, token, symbol, decimals, pricePerPeriod, periodSeconds, permitDomain };
}
