import type { Address, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { trackRegistryAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { describeRevert } from './internal/describe-revert.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetSplitParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  trackId: Hex;
  blockNumber?: bigint;
};

/** Recipients strictly ascending, shares in ppm summing to 1,000,000; undefined for an unknown track. */
export type GetSplitReturnType = { recipients: Address[]; shares: number[] } | undefined;

export type GetSplitErrorType = ChainError | Error;

/** Reads a track's immutable split. */
export async function getSplit(
  client: PublicClientLike,
  parameters: GetSplitParameters,
): Promise<GetSplitReturnType> {
  const { deployment, trackId, blockNumber } = parameters;
  try {
    const [recipients, shares] = await readContract(client, {
      address: requireContract(deployment, 'TrackRegistry'),
      abi: trackRegistryAbi,
      functionName: 'splitOf',
      args: [trackId],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    });
    return { recipients: [...recipients], shares: [...shares] };
  } catch (error) {
    if (describeRevert(error)?.startsWith('UnknownTrack(')) return undefined;
    throw error;
  }
}
