import type { Hex } from 'viem';
import { readContract } from 'viem/actions';
import { promotionsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import { describeRevert } from './internal/describe-revert.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetPromotionParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  trackId: Hex;
  blockNumber?: bigint;
};

export type GetPromotionReturnType = {
  trackId: Hex;
  /** When the track's promotion ends (Unix seconds); 0 when it was never promoted. */
  promotedUntil: bigint;
  /** Whether it is promoted at the block read. */
  promoted: boolean;
  /** The price of one day, in FAIR base units, and the longest promotion in days. */
  pricePerDay: bigint;
  maxDays: bigint;
};

export type GetPromotionErrorType = ChainError | Error;

/** Reads a track's promotion and the published terms (price per day, longest period). */
export async function getPromotion(
  client: PublicClientLike,
  parameters: GetPromotionParameters,
): Promise<GetPromotionReturnType> {
  const { deployment, trackId, blockNumber } = parameters;
  const address = requireContract(deployment, 'Promotions');
  const at = blockNumber === undefined ? {} : { blockNumber };
  const [promotedUntil, promoted, pricePerDay, maxDays] = await Promise.all([
    readContract(client, {
      address,
      abi: promotionsAbi,
      functionName: 'promotedUntil',
      args: [trackId],
      ...at,
    }),
    readContract(client, { address, abi: promotionsAbi, functionName: 'isPromoted', args: [trackId], ...at }),
    readContract(client, { address, abi: promotionsAbi, functionName: 'pricePerDay', ...at }),
    readContract(client, { address, abi: promotionsAbi, functionName: 'MAX_DAYS', ...at }),
  ]);
  return { trackId, promotedUntil: BigInt(promotedUntil), promoted, pricePerDay, maxDays };
}

/**
 * What a promotion of `days` days costs now, in FAIR base units. Days outside 1..MAX_DAYS fail with
 * the contract's error (`ZeroDays()`, `TooManyDays(91, 90)`).
 */
export async function quotePromotion(
  client: PublicClientLike,
  parameters: { deployment: Pick<Deployment, 'contracts'>; days: number | bigint },
): Promise<bigint> {
  const days = BigInt(parameters.days);
  try {
    return await readContract(client, {
      address: requireContract(parameters.deployment, 'Promotions'),
      abi: promotionsAbi,
      functionName: 'quote',
      args: [days],
    });
  } catch (error) {
    const reason = describeRevert(error);
    if (reason === undefined) throw error;
    throw new ChainError(
      'transaction_reverted',
      `A promotion of ${days} day(s) cannot be bought: ${reason}`,
      {
        cause: error,
      },
    );
  }
}
