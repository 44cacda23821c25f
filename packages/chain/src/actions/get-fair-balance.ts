import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem';
import { readContract } from 'viem/actions';
import { fairTokenAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';

export type GetFairBalanceParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** The account whose balance to read. */
  address: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint;
};

/** FAIR in base units (18 decimals). */
export type GetFairBalanceReturnType = bigint;

export type GetFairBalanceErrorType = ReadContractErrorType;

/** Reads an account's FAIR balance. */
export async function getFairBalance(
  client: Client<Transport, Chain | undefined>,
  parameters: GetFairBalanceParameters,
): Promise<GetFairBalanceReturnType> {
  const { deployment, address, blockNumber } = parameters;
  return readContract(client, {
    address: deployment.contracts.FairToken,
    abi: fairTokenAbi,
    functionName: 'balanceOf',
    args: [address],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
}
