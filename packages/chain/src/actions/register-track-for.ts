import { type Address, encodeFunctionData, zeroHash } from 'viem';
import { trackRegistryAbi } from '../abis/index.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';
import { FREE_ACCESS, type RegisterTrackParameters } from './register-track.ts';

export type RegisterTrackForParameters = RegisterTrackParameters & {
  /** The artist who will own the track; non-zero. */
  owner: Address;
};

export type RegisterTrackForReturnType = TransactionResult;

export type RegisterTrackForErrorType = ChainError;

/**
 * Registers a track on behalf of `owner`, sent by a registrar (the node's operator key, which holds
 * REGISTRAR_ROLE and pays the gas). The owner controls the track from then on; the split is fixed.
 */
export async function registerTrackFor(
  client: WalletClientLike,
  parameters: RegisterTrackForParameters,
): Promise<RegisterTrackForReturnType> {
  const { deployment, owner, trackId, recipients, shares } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'TrackRegistry'),
    data: encodeFunctionData({
      abi: trackRegistryAbi,
      functionName: 'registerFor',
      args: [
        owner,
        trackId,
        parameters.metadataDigest ?? zeroHash,
        parameters.access ?? FREE_ACCESS,
        recipients,
        shares,
      ],
    }),
    description: `Registering track ${trackId} for ${owner}`,
  });
  return transactionResult(receipt);
}
