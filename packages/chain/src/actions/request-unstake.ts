import { encodeFunctionData, parseEventLogs } from 'viem';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type RequestUnstakeParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** FAIR base units to move from the stake to the cooling balance. */
  amount: bigint;
};

export type RequestUnstakeReturnType = TransactionResult & {
  /** What stays staked. */
  stake: bigint;
  /** The whole cooling balance, withdrawable at `unlockAt` (unix seconds). */
  cooling: bigint;
  unlockAt: bigint;
};

export type RequestUnstakeErrorType = ChainError;

/**
 * Starts unstaking: the amount stops earning at once and can be withdrawn (`withdrawStake`) after the
 * cooldown, which restarts for the whole cooling balance. A registered operator must keep the minimum.
 */
export async function requestUnstake(
  client: WalletClientLike,
  parameters: RequestUnstakeParameters,
): Promise<RequestUnstakeReturnType> {
  const { deployment, amount } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'Staking'),
    data: encodeFunctionData({ abi: stakingAbi, functionName: 'requestUnstake', args: [amount] }),
    description: `Requesting to unstake ${amount} FAIR base units`,
  });
  const [event] = parseEventLogs({ abi: stakingAbi, eventName: 'UnstakeRequested', logs: receipt.logs });
  return {
    ...transactionResult(receipt),
    stake: event?.args.stake ?? 0n,
    cooling: event?.args.cooling ?? 0n,
    unlockAt: event?.args.unlockAt ?? 0n,
  };
}
