import { encodeFunctionData, parseEventLogs } from 'viem';
import { fanDropsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type ReclaimFanDropParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  dropId: bigint;
};

export type ReclaimFanDropReturnType = TransactionResult & { amount: bigint };

export type ReclaimFanDropErrorType = ChainError;

/**
 * Takes back what an expired fan drop left unclaimed, to its creator (the client's account). Fails with
 * the contract's error: `DropNotExpired(dropId, expiresAt)`, `NothingToReclaim(dropId)`, `NotDropCreator(…)`.
 */
export async function reclaimFanDrop(
  client: WalletClientLike,
  parameters: ReclaimFanDropParameters,
): Promise<ReclaimFanDropReturnType> {
  const { deployment, dropId } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'FanDrops'),
    data: encodeFunctionData({ abi: fanDropsAbi, functionName: 'reclaim', args: [dropId] }),
    description: `Reclaiming what fan drop ${dropId} left unclaimed`,
  });
  const [event] = parseEventLogs({ abi: fanDropsAbi, eventName: 'DropReclaimed', logs: receipt.logs });
  return { ...transactionResult(receipt), amount: event?.args.amount ?? 0n };
}
