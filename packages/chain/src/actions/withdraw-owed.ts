import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { payoutDistributorAbi, tipsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

/** The contract holding the pull balance: a failed tip push (Tips) or a failed claim push (PayoutDistributor). */
export type WithdrawOwedParameters = { deployment: Pick<Deployment, 'contracts'>; token: Address } & (
  | {
      from: 'Tips';
      /** Send to another address (when the account itself cannot receive the token). */
      to?: Address;
    }
  | { from: 'PayoutDistributor' }
);

export type WithdrawOwedReturnType = TransactionResult & { amount: bigint };

export type WithdrawOwedErrorType = ChainError;

/** Withdraws the client account's owed balance of a token; fails with `NothingOwed` when there is none. */
export async function withdrawOwed(
  client: WalletClientLike,
  parameters: WithdrawOwedParameters,
): Promise<WithdrawOwedReturnType> {
  const { deployment, from, token } = parameters;
  const to = parameters.from === 'Tips' ? parameters.to : undefined;
  const data =
    from === 'Tips'
      ? to === undefined
        ? encodeFunctionData({ abi: tipsAbi, functionName: 'withdraw', args: [token] })
        : encodeFunctionData({ abi: tipsAbi, functionName: 'withdrawTo', args: [token, to] })
      : encodeFunctionData({ abi: payoutDistributorAbi, functionName: 'withdraw', args: [token] });
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, from),
    data,
    description: `Withdrawing the owed ${token} balance from ${from}`,
  });
  const [event] = parseEventLogs({
    abi: from === 'Tips' ? tipsAbi : payoutDistributorAbi,
    eventName: 'Withdrawn',
    logs: receipt.logs,
  });
  return { ...transactionResult(receipt), amount: event?.args.amount ?? 0n };
}
