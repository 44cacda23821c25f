import { type Address, erc20Abi } from 'viem';
import { readContract } from 'viem/actions';
import type { ChainError } from '../errors.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetTokenBalanceParameters = {
  /** Any ERC-20. */
  token: Address;
  address: Address;
  blockNumber?: bigint;
};

/** In the token's base units. */
export type GetTokenBalanceReturnType = bigint;

export type GetTokenBalanceErrorType = ChainError | Error;

/** Reads an account's balance of any ERC-20 token. */
export async function getTokenBalance(
  client: PublicClientLike,
  parameters: GetTokenBalanceParameters,
): Promise<GetTokenBalanceReturnType> {
  const { token, address, blockNumber } = parameters;
  return readContract(client, {
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
}
