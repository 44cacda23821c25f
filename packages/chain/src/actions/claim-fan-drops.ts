import { type Address, encodeFunctionData, parseEventLogs } from 'viem';
import { getBlock } from 'viem/actions';
import { fanDropsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import type { FanDropClaim } from '../merkle/fan-drop-tree.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

/** EIP-7825 caps a transaction at 2^24 gas (Osaka); staying under it keeps batches valid everywhere. */
const TRANSACTION_GAS_CAP = 16_777_216n;

export type ClaimFanDropsParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  dropId: bigint;
  claims: readonly FanDropClaim[];
  /**
   * Gas budget per transaction; the claims are split into as many `claimMany` transactions as needed.
   * Default: half the latest block's gas limit, at most 2^24.
   */
  maxGasPerTransaction?: bigint;
  /** Called after each mined transaction with how many claims were sent so far, of how many. */
  onProgress?: (done: number, total: number) => void;
};

export type ClaimFanDropsReturnType = {
  /** One per `claimMany` sent, in order, with how many claims it carried. */
  transactions: (TransactionResult & { claims: number })[];
  /** Who was paid now (accounts already paid before are skipped by the contract). */
  paid: { account: Address; amount: bigint }[];
};

export type ClaimFanDropsErrorType = ChainError;

/**
 * Pushes many accounts' parts of one fan drop with `claimMany`, split into transactions that each stay
 * well under the block gas limit. Accounts already paid are skipped by the contract, so retrying after
 * a failure is safe; one invalid proof reverts its whole transaction, which fails here with
 * `InvalidProof(dropId, account, amount)` after the transactions before it were mined.
 */
export async function claimFanDrops(
  client: WalletClientLike,
  parameters: ClaimFanDropsParameters,
): Promise<ClaimFanDropsReturnType> {
  const { deployment, dropId, claims, onProgress } = parameters;
  const drops = requireContract(deployment, 'FanDrops');
  const budget = parameters.maxGasPerTransaction ?? (await defaultBudget(client));
  const result: ClaimFanDropsReturnType = { transactions: [], paid: [] };
  let done = 0;
  for (const chunk of chunkByGas(claims, budget)) {
    let receipt: Awaited<ReturnType<typeof sendContractTransaction>>;
    try {
      receipt = await sendContractTransaction(client, {
        to: drops,
        data: encodeFunctionData({ abi: fanDropsAbi, functionName: 'claimMany', args: [dropId, chunk] }),
        description: `Pushing ${chunk.length} claim(s) of fan drop ${dropId}`,
      });
    } catch (error) {
      if (!(error instanceof ChainError) || done === 0) throw error;
      throw new ChainError(
        error.code,
        `${error.shortMessage} (claims ${done + 1}–${done + chunk.length} of ${claims.length})`,
        {
          details: `The first ${done} claims were paid in earlier transactions; retrying skips them.`,
          cause: error,
        },
      );
    }
    done += chunk.length;
    result.transactions.push({ ...transactionResult(receipt), claims: chunk.length });
    for (const event of parseEventLogs({ abi: fanDropsAbi, eventName: 'DropClaimed', logs: receipt.logs })) {
      result.paid.push({ account: event.args.account, amount: event.args.amount });
    }
    onProgress?.(done, claims.length);
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
 * claim costs at most a cold `isClaimed` slot set from zero, the proof's hashing and calldata (priced at
 * the EIP-7623 floor of 40 gas a byte), its event, and a FAIR transfer to a new holder.
 */
function chunkByGas(claims: readonly FanDropClaim[], budget: bigint): FanDropClaim[][] {
  const base = 60_000n; // the transaction and the drop's reads and single write
  const chunks: FanDropClaim[][] = [];
  let current: FanDropClaim[] = [];
  let used = base;
  for (const claim of claims) {
    const cost = 65_000n + 1_500n * BigInt(claim.proof.length);
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
