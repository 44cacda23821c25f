import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { stakingAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type ClaimStakingRewardsParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** A reward token of Staking (the stablecoin). */
  token: Address;
};

export type ClaimStakingRewardsReturnType = TransactionResult & { amount: bigint };

export type ClaimStakingRewardsErrorType = ChainError;

/** Sends the client's earned staking rewards in a token; fails with `NothingToClaim` when there are none. */
export async function claimStakingRewards(
  client: WalletClientLike,
  parameters: ClaimStakingRewardsParameters,
): Promise<ClaimStakingRewardsReturnType> {
  const { deployment, token } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'Staking'),
    data: encodeFunctionData({ abi: stakingAbi, functionName: 'claimRewards', args: [token] }),
    description: `Claiming staking rewards in ${token}`,
  });
  const [event] = parseEventLogs({ abi: stakingAbi, eventName: 'RewardClaimed', logs: receipt.logs });
  return { ...transactionResult(receipt), amount: event?.args.amount ?? 0n };
}
