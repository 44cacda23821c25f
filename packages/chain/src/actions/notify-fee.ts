import { type Address, encodeFunctionData, type Hash, parseEventLogs } from 'viem';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type NotifyFeeParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** A reward token of Staking (the stablecoin). */
  token: Address;
  amount: bigint;
};

export type NotifyFeeReturnType = TransactionResult & {
  /** Went to the stakers now, pro rata (with what earlier notifies carried). */
  distributed: bigint;
  /** Held for the next notify (nobody staked, or below one base unit of rounding). */
  undistributed: bigint;
  approval?: Hash;
};

export type NotifyFeeErrorType = ChainError;

/**
 * Pays the platform fee to the stakers: approves Staking when needed, then `notifyFee` pulls the
 * amount from the client's account (the settlement operator's) and credits it to current stakers.
 */
export async function notifyFee(
  client: WalletClientLike,
  parameters: NotifyFeeParameters,
): Promise<NotifyFeeReturnType> {
  const { deployment, token, amount } = parameters;
  const staking = requireContract(deployment, 'Staking');
  const { approval } = await authorizePayment(client, {
    token,
    spender: staking,
    amount,
    authorize: 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: staking,
    data: encodeFunctionData({ abi: stakingAbi, functionName: 'notifyFee', args: [token, amount] }),
    description: `Notifying a fee of ${amount} base units of ${token}`,
  });
  const [event] = parseEventLogs({ abi: stakingAbi, eventName: 'FeeNotified', logs: receipt.logs });
  return {
    ...transactionResult(receipt),
    distributed: event?.args.distributed ?? 0n,
    undistributed: event?.args.undistributed ?? 0n,
    ...(approval ? { approval } : {}),
  };
}
