import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { getBlock } from 'viem/actions';
import { payoutDistributorAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import type { PayoutClaim } from '../merkle/payout-tree.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

/** EIP-7825 caps a transaction at 2^24 gas (Osaka); staying under it keeps batches valid everywhere. */
const TRANSACTION_GAS_CAP = 16_777_216n;

export type ClaimPayoutsParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** A final epoch whose tree holds every claim's leaf. */
  epoch: bigint;
  claims: readonly PayoutClaim[];
  /**
   * Gas budget per transaction; the claims are split into as many `claimMany` transactions as needed.
   * Default: half the latest block's gas limit, at most 2^24.
   */
  maxGasPerTransaction?: bigint;
};

export type ClaimPayoutsReturnType = {
  /** One per `claimMany` sent, in order, with how many claims it carried. */
  transactions: (TransactionResult & { claims: number })[];
  /** What was paid (the delta over what was already claimed), per account and token with something due. */
  paid: { account: Address; token: Address; amount: bigint; cumulativeAmount: bigint }[];
  /** Payments whose push failed and became `owed` balances (`withdrawOwed`). */
  deferred: { account: Address; token: Address; amount: bigint }[];
};

export type ClaimPayoutsErrorType = ChainError;

/**
 * Claims many payouts of one epoch with `claimMany`, split into transactions that each stay well
 * under the block gas limit. Claims with nothing due are skipped by the distributor (so retrying a
 * batch is safe); one invalid proof reverts its whole transaction, which fails here with
 * `InvalidProof(account, token, amount)` after the transactions before it were mined.
 */
export async function claimPayouts(
  client: WalletClientLike,
  parameters: ClaimPayoutsParameters,
): Promise<ClaimPayoutsReturnType> {
  const { deployment, epoch, claims } = parameters;
  const distributor = requireContract(deployment, 'PayoutDistributor');
  const budget = parameters.maxGasPerTransaction ?? (await defaultBudget(client));
  const result: ClaimPayoutsReturnType = { transactions: [], paid: [], deferred: [] };
  let done = 0;
  for (const chunk of chunkByGas(claims, budget)) {
    let receipt: Awaited<ReturnType<typeof sendContractTransaction>>;
    try {
      receipt = await sendContractTransaction(client, {
        to: distributor,
        data: encodeFunctionData({
          abi: payoutDistributorAbi,
          functionName: 'claimMany',
          args: [epoch, chunk],
        }),
        description: `Claiming ${chunk.length} payout(s) of epoch ${epoch}`,
      });
    } catch (error) {
      if (!(error instanceof ChainError) || done === 0) throw error;
      throw new ChainError(
        error.code,
        `${error.shortMessage} (claims ${done + 1}–${done + chunk.length} of ${claims.length})`,
        {
          details: `The first ${done} claims were settled in earlier transactions.`,
          cause: error,
        },
      );
    }
    done += chunk.length;
    result.transactions.push({ ...transactionResult(receipt), claims: chunk.length });
    for (const event of parseEventLogs({
      abi: payoutDistributorAbi,
      eventName: 'Claimed',
      logs: receipt.logs,
    })) {
      const { account, token, amount, cumulativeAmount } = event.args;
      result.paid.push({ account, token, amount, cumulativeAmount });
    }
    for (const event of parseEventLogs({
      abi: payoutDistributorAbi,
      eventName: 'PaymentDeferred',
      logs: receipt.logs,
    })) {
      const { account, token, amount } = event.args;
      result.deferred.push({ account, token, amount });
    }
  }
  return result;
}

async function defaultBudget(client: WalletClientLike): Promise<bigint> {
  const { gasLimit } = await getBlock(client, { blockTag: 'latest' });
  const half = gasLimit / 2n;
  return half < TRANSACTION_GAS_CAP ? half : TRANSACTION_GAS_CAP;
}

/**
 * Packs claims greedily under the budget using a per-claim upper bound rather than an estimate: a
 * claim costs at most a cold `claimed` slot set from zero, the proof's hashing and calldata (priced at
 * the EIP-7623 floor of 40 gas a byte), its event, and a token transfer to a new holder.
 */
function chunkByGas(claims: readonly PayoutClaim[], budget: bigint): PayoutClaim[][] {
  const base = 60_000n; // the transaction, plus the per-token funding check
  const chunks: PayoutClaim[][] = [];
  let current: PayoutClaim[] = [];
  let used = base;
  for (const claim of claims) {
    const cost = 75_000n + 1_500n * BigInt(claim.proof.length);
    if (current.length > 0 && used + cost > budget) {
      chunks.push(current);
      current = [];
      used = base;
    }
    current.push(claim);
    used += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
