import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { fanDropsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import type { FanDropClaim } from '../merkle/fan-drop-tree.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type ClaimFanDropParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  dropId: bigint;
  /** The account's leaf and proof (`fanDropClaim`); the FAIR goes to `claim.account`, whoever sends. */
  claim: FanDropClaim;
};

export type ClaimFanDropReturnType = TransactionResult & { account: Address; amount: bigint };

export type ClaimFanDropErrorType = ChainError;

/**
 * Claims one account's part of a fan drop; anyone may send it. Fails with the contract's error:
 * `AlreadyClaimed(dropId, account)`, `InvalidProof(…)`, `DropExpired(dropId, expiresAt)`.
 */
export async function claimFanDrop(
  client: WalletClientLike,
  parameters: ClaimFanDropParameters,
): Promise<ClaimFanDropReturnType> {
  const { deployment, dropId, claim } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'FanDrops'),
    data: encodeFunctionData({
      abi: fanDropsAbi,
      functionName: 'claim',
      args: [dropId, claim.account, claim.amount, claim.proof],
    }),
    description: `Claiming ${claim.account}'s part of fan drop ${dropId}`,
  });
  const [event] = parseEventLogs({ abi: fanDropsAbi, eventName: 'DropClaimed', logs: receipt.logs });
  return {
    ...transactionResult(receipt),
    account: event?.args.account ?? claim.account,
    amount: event?.args.amount ?? claim.amount,
  };
}
