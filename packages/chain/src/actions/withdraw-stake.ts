import { encodeFunctionData, parseEventLogs } from 'viem';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type WithdrawStakeParameters = { deployment: Pick<Deployment, 'contracts'> };

export type WithdrawStakeReturnType = TransactionResult & { amount: bigint };

export type WithdrawStakeErrorType = ChainError;

/**
 * Withdraws the client's whole cooling balance of FAIR once its cooldown has elapsed; fails with
 * `CooldownNotElapsed(unlockAt)` before, `NothingToWithdraw()` without one.
 */
export async function withdrawStake(
  client: WalletClientLike,
  parameters: WithdrawStakeParameters,
): Promise<WithdrawStakeReturnType> {
  const receipt = await sendContractTransaction(client, {
    to: requireContract(parameters.deployment, 'Staking'),
    data: encodeFunctionData({ abi: stakingAbi, functionName: 'withdraw' }),
    description: 'Withdrawing unstaked FAIR',
  });
  const [event] = parseEventLogs({ abi: stakingAbi, eventName: 'Withdrawn', logs: receipt.logs });
  return { ...transactionResult(receipt), amount: event?.args.amount ?? 0n };
}
