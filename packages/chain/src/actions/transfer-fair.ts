import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from 'viem';
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import { fairTokenAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';

export type TransferFairParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  to: Address;
  /** FAIR in base units (18 decimals); `parseEther('1.5')` is 1.5 FAIR. */
  amount: bigint;
};

export type TransferFairReturnType = { hash: Hash; blockNumber: bigint };

export type TransferFairErrorType = WriteContractErrorType | ChainError;

/**
 * Sends FAIR from the client's account and waits until it is mined. A transfer the token refuses
 * (an insufficient balance, say) fails before it is sent, with the contract's decoded error.
 */
export async function transferFair(
  client: Client<Transport, Chain | undefined, Account>,
  parameters: TransferFairParameters,
): Promise<TransferFairReturnType> {
  const { deployment, to, amount } = parameters;
  const hash = await writeContract(client, {
    address: deployment.contracts.FairToken,
    abi: fairTokenAbi,
    functionName: 'transfer',
    args: [to, amount],
    account: client.account,
    chain: client.chain,
  });
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') {
    throw new ChainError('transaction_reverted', `The FAIR transfer to ${to} reverted (transaction ${hash})`);
  }
  return { hash, blockNumber: receipt.blockNumber };
}
