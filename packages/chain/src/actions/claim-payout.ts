import { encodeFunctionData, parseEventLogs } from 'viem';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import type { PayoutClaim } from '../merkle/payout-tree.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type ClaimPayoutParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** A final epoch whose tree holds the claim's leaf. */
  epoch: bigint;
  /** From `payoutClaim(tree, account, token)`: anyone may send it; the money goes to `claim.account`. */
  claim: PayoutClaim;
};

export type ClaimPayoutReturnType = TransactionResult & {
  /** What this claim paid: the cumulative amount minus what was already claimed (0 when nothing was due). */
  amount: bigint;
  /** True when the push to the account failed and the amount became an `owed` balance (`withdrawOwed`). */
  deferred: boolean;
};

export type ClaimPayoutErrorType = ChainError;

/** Claims one account's payout in one token; a claim with nothing due does nothing and does not fail. */
export async function claimPayout(
  client: WalletClientLike,
  parameters: ClaimPayoutParameters,
): Promise<ClaimPayoutReturnType> {
  const { deployment, epoch, claim } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'PayoutDistributor'),
    data: encodeFunctionData({
      abi: payoutDistributorAbi,
      functionName: 'claim',
      args: [epoch, claim.account, claim.token, claim.cumulativeAmount, claim.proof],
    }),
    description: `Claiming the epoch ${epoch} payout of ${claim.account} in ${claim.token}`,
  });
  const [claimed] = parseEventLogs({ abi: payoutDistributorAbi, eventName: 'Claimed', logs: receipt.logs });
  const deferred = parseEventLogs({
    abi: payoutDistributorAbi,
    eventName: 'PaymentDeferred',
    logs: receipt.logs,
  });
  return { ...transactionResult(receipt), amount: claimed?.args.amount ?? 0n, deferred: deferred.length > 0 };
}
