import { type Address, encodeFunctionData, type Hex, parseEventLogs, zeroHash } from 'viem';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

export type PublishEpochParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** At least the distributor's `nextEpoch`: epochs strictly increase, voided numbers are not reused. */
  epoch: bigint;
  /** The cumulative payout tree's root (`buildPayoutTree(...).root`). */
  payoutRoot: Hex;
  /** The plays root, verified off-chain; default zero. */
  playsRoot?: Hex;
  /** The sha2-256 digest inside the CID of the epoch's published data (`cidDigest`); default zero. */
  dataDigest?: Hex;
  /** The tree's cumulative total per token (`payoutTotals`); sorted here, as the distributor requires. */
  totals: readonly { token: Address; total: bigint }[];
};

export type PublishEpochReturnType = TransactionResult & {
  /** When claims against the epoch open (unix seconds): the block time plus the challenge window. */
  claimableAt: bigint;
};

export type PublishEpochErrorType = ChainError;

/**
 * Operator only: publishes an epoch's cumulative payout root. The distributor refuses totals above
 * what was funded (`TotalAboveFunded`) or below the previous epoch's (`TotalBelowPrevious`).
 */
export async function publishEpoch(
  client: WalletClientLike,
  parameters: PublishEpochParameters,
): Promise<PublishEpochReturnType> {
  const { deployment, epoch, payoutRoot } = parameters;
  const totals = [...parameters.totals].sort((a, b) => (BigInt(a.token) < BigInt(b.token) ? -1 : 1));
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'PayoutDistributor'),
    data: encodeFunctionData({
      abi: payoutDistributorAbi,
      functionName: 'publishEpoch',
      args: [
        epoch,
        payoutRoot,
        parameters.playsRoot ?? zeroHash,
        parameters.dataDigest ?? zeroHash,
        totals.map((entry) => entry.token),
        totals.map((entry) => entry.total),
      ],
    }),
    description: `Publishing epoch ${epoch}`,
  });
  const [event] = parseEventLogs({
    abi: payoutDistributorAbi,
    eventName: 'EpochPublished',
    logs: receipt.logs,
  });
  return { ...transactionResult(receipt), claimableAt: event?.args.claimableAt ?? 0n };
}
