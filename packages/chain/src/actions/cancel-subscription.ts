import { encodeFunctionData, parseEventLogs } from 'viem';
import { subscriptionVaultAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type CancelSubscriptionParameters = { deployment: Pick<Deployment, 'contracts'> };

export type CancelSubscriptionReturnType = TransactionResult & {
  /** The unstarted periods' price, paid back. */
  refund: bigint;
  /** The subscription now ends here (the end of the period in progress). */
  end: bigint;
};

export type CancelSubscriptionErrorType = ChainError;

/**
 * Cancels the client's subscription: periods not started yet are refunded, the one in progress runs
 * to its end. Fails with `NotActive` or `NothingToRefund` when there is nothing to cancel.
 */
export async function cancelSubscription(
  client: WalletClientLike,
  parameters: CancelSubscriptionParameters,
): Promise<CancelSubscriptionReturnType> {
  const receipt = await sendContractTransaction(client, {
    to: requireContract(parameters.deployment, 'SubscriptionVault'),
    data: encodeFunctionData({ abi: subscriptionVaultAbi, functionName: 'cancel' }),
    description: 'Cancelling the subscription',
  });
  const [event] = parseEventLogs({ abi: subscriptionVaultAbi, eventName: 'Cancelled', logs: receipt.logs });
  return { ...transactionResult(receipt), refund: event?.args.refund ?? 0n, end: event?.args.end ?? 0n };
}
