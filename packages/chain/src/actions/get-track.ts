import type { Address, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { trackRegistryAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { describeRevert } from './internal/describe-revert.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';
import type { TrackAccessRule } from './register-track.ts';

export type GetTrackParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  trackId: Hex;
  blockNumber?: bigint;
};

/** Undefined when no track is registered under the id. */
export type GetTrackReturnType =
  | { owner: Address; metadataDigest: Hex; access: TrackAccessRule; registeredAt: bigint }
  | undefined;

export type GetTrackErrorType = ChainError | Error;

/** Reads a track's owner, metadata digest, access rule and registration time. */
export async function getTrack(
  client: PublicClientLike,
  parameters: GetTrackParameters,
): Promise<GetTrackReturnType> {
  const { deployment, trackId, blockNumber } = parameters;
  try {
    const [owner, metadataDigest, access, registeredAt] = await readContract(client, {
      address: requireContract(deployment, 'TrackRegistry'),
      abi: trackRegistryAbi,
      functionName: 'trackOf',
      args: [trackId],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    });
    return {
      owner,
      metadataDigest,
      access: { kind: access.kind, token: access.token, minBalance: access.minBalance },
      registeredAt,
    };
  } catch (error) {
    // The registry reverts for an unknown id; that is an answer, not a failure.
    if (describeRevert(error)?.startsWith('UnknownTrack(')) return undefined;
    throw error;
  }
}
