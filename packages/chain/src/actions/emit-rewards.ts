import { encodeFunctionData, parseEventLogs } from 'viem';
import { readContract } from 'viem/actions';
import { rewardsEmitterAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type EmitRewardsParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** Emit every emission epoch up to and including this one (it must have ended). Default: the last ended epoch. */
  epoch?: bigint;
};

export type EmitRewardsReturnType = TransactionResult & {
  /** FAIR funded into the distributor (0 when those epochs were already emitted or the reserve is empty). */
  amount: bigint;
  /** The emission epochs covered, when any. */
  fromEpoch?: bigint;
  toEpoch?: bigint;
};

export type EmitRewardsErrorType = ChainError;

/**
 * Funds the PayoutDistributor with the FAIR rewards scheduled up to an ended emission epoch
 * (RewardsEmitter.emitUntil; anyone may call it). Fails with `EpochNotEnded` for a running epoch.
 */
export async function emitRewards(
  client: WalletClientLike,
  parameters: EmitRewardsParameters,
): Promise<EmitRewardsReturnType> {
  const { deployment } = parameters;
  const emitter = requireContract(deployment, 'RewardsEmitter');
  let epoch = parameters.epoch;
  if (epoch === undefined) {
    const current = await readContract(client, {
      address: emitter,
      abi: rewardsEmitterAbi,
      functionName: 'currentEpoch',
    });
    // Before the first epoch ends, asking for epoch 0 lets the emitter say when it will (`EpochNotEnded`).
    epoch = current === 0n ? 0n : current - 1n;
  }
  const receipt = await sendContractTransaction(client, {
    to: emitter,
    data: encodeFunctionData({ abi: rewardsEmitterAbi, functionName: 'emitUntil', args: [epoch] }),
    description: `Emitting FAIR rewards up to epoch ${epoch}`,
  });
  const [event] = parseEventLogs({ abi: rewardsEmitterAbi, eventName: 'Emitted', logs: receipt.logs });
  return {
    ...transactionResult(receipt),
    amount: event?.args.amount ?? 0n,
    ...(event ? { fromEpoch: event.args.fromEpoch, toEpoch: event.args.toEpoch } : {}),
  };
}
