import { encodeFunctionData } from 'viem';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type RegisterOperatorParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** The node's public endpoint; 1 to 256 bytes. */
  url: string;
};

export type RegisterOperatorReturnType = TransactionResult;

export type RegisterOperatorErrorType = ChainError;

/**
 * Registers the client's account as a node operator with its endpoint URL. It must already stake the
 * minimum operator stake (`OperatorStakeTooLow(stake, minimum)` otherwise) and keep it while registered.
 */
export async function registerOperator(
  client: WalletClientLike,
  parameters: RegisterOperatorParameters,
): Promise<RegisterOperatorReturnType> {
  const { deployment, url } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'Staking'),
    data: encodeFunctionData({ abi: stakingAbi, functionName: 'registerOperator', args: [url] }),
    description: `Registering as an operator at ${url}`,
  });
  return transactionResult(receipt);
}
