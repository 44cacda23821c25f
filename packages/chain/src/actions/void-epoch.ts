import { encodeFunctionData } from 'viem';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type VoidEpochParameters = { deployment: Pick<Deployment, 'contracts'>; epoch: bigint };

export type VoidEpochReturnType = TransactionResult;

export type VoidEpochErrorType = ChainError;

/**
 * Guardian only: voids a published epoch while its challenge window is open (`ChallengeWindowClosed`
 * after; with a zero window, as on dev chains, never). The next epoch then only has to cover what
 * was already paid.
 */
export async function voidEpoch(
  client: WalletClientLike,
  parameters: VoidEpochParameters,
): Promise<VoidEpochReturnType> {
  const { deployment, epoch } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'PayoutDistributor'),
    data: encodeFunctionData({ abi: payoutDistributorAbi, functionName: 'voidEpoch', args: [epoch] }),
    description: `Voiding epoch ${epoch}`,
  });
  return transactionResult(receipt);
}
