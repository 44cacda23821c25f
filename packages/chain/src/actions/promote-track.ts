import { type Address, encodeFunctionData, type Hash, type Hex, parseEventLogs } from 'viem';
import { promotionsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { quotePromotion } from './get-promotion.ts';
import { authorizePayment } from './internal/authorize-payment.ts';
import { preflight } from './internal/preflight.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { PaymentAuthorization, TransactionResult, WalletClientLike } from './internal/types.ts';

export type PromoteTrackParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** The track's ledger id; the client's account must own it. */
  trackId: Hex;
  /** Whole days, 1 to Promotions' MAX_DAYS (90). */
  days: number | bigint;
  /**
   * The most FAIR (base units) to pay. Default: the current price × days, read just before; the
   * contract takes the cost at the price of the block, and refuses if it rose above this.
   */
  maxAmount?: bigint;
  /** Default `approve`; FAIR supports `permit` (one transaction). */
  authorize?: PaymentAuthorization;
};

export type PromoteTrackReturnType = TransactionResult & {
  trackId: Hex;
  promoter: Address;
  /** When the bought days start: now, or the end of the running promotion they extend (Unix seconds). */
  startsAt: bigint;
  /** When the track's promotion now ends. */
  endsAt: bigint;
  /** The FAIR paid (burned), in base units. */
  amount: bigint;
  approval?: Hash;
};

export type PromoteTrackErrorType = ChainError;

/**
 * Promotes a track the client's account owns for whole days, paying FAIR (burned). A call the
 * contract refuses (someone else's track, too little FAIR, too many days) fails before anything is
 * signed or sent, with the contract's error: `NotTrackOwner(…)`, `InsufficientBalance(balance, cost)`.
 */
export async function promoteTrack(
  client: WalletClientLike,
  parameters: PromoteTrackParameters,
): Promise<PromoteTrackReturnType> {
  const { deployment, trackId } = parameters;
  const promotions = requireContract(deployment, 'Promotions');
  const fair = requireContract(deployment, 'FairToken');
  const days = BigInt(parameters.days);
  const maxAmount = parameters.maxAmount ?? (await quotePromotion(client, { deployment, days }));
  const description = `Promoting track ${trackId} for ${days} day(s)`;
  const call = encodeFunctionData({
    abi: promotionsAbi,
    functionName: 'promote',
    args: [trackId, days, maxAmount],
  });
  // Ownership, price and balance are checked before the allowance: only a missing approval may pass.
  await preflight(client, {
    to: promotions,
    data: call,
    description,
    tolerate: /^ERC20InsufficientAllowance\(/,
  });
  const { approval, permit } = await authorizePayment(client, {
    token: fair,
    spender: promotions,
    amount: maxAmount,
    authorize: parameters.authorize ?? 'approve',
  });
  const receipt = await sendContractTransaction(client, {
    to: promotions,
    data: permit
      ? encodeFunctionData({
          abi: promotionsAbi,
          functionName: 'promoteWithPermit',
          args: [trackId, days, maxAmount, permit.deadline, permit.v, permit.r, permit.s],
        })
      : call,
    description,
  });
  const [event] = parseEventLogs({ abi: promotionsAbi, eventName: 'Promoted', logs: receipt.logs });
  if (!event) throw new Error(`The promotion of ${trackId} was mined without its Promoted event`);
  return {
    ...transactionResult(receipt),
    trackId,
    promoter: event.args.promoter,
    startsAt: event.args.startsAt,
    endsAt: event.args.endsAt,
    amount: event.args.amount,
    ...(approval ? { approval } : {}),
  };
}
