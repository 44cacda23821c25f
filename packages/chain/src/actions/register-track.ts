import { type Address, encodeFunctionData, type Hex, zeroAddress, zeroHash } from 'viem';
import { trackRegistryAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { requireContract } from './internal/require-contract.ts';
import { sendContractTransaction } from './internal/send-contract-transaction.ts';
import { transactionResult } from './internal/transaction-result.ts';
import type { TransactionResult, WalletClientLike } from './internal/types.ts';

/** Who may play a track: kind 0 free (token and minBalance zero), 1 ERC-20 holders, 2 ERC-721 holders. */
export type TrackAccessRule = { kind: number; token: Address; minBalance: bigint };

/** Anyone may play. */
export const FREE_ACCESS: TrackAccessRule = { kind: 0, token: zeroAddress, minBalance: 0n };

export type RegisterTrackParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  /** Non-zero and not yet registered. */
  trackId: Hex;
  /** The sha2-256 digest inside the CID of the track's metadata (see `cidDigest`); default zero. */
  metadataDigest?: Hex;
  /** Default: free. */
  access?: TrackAccessRule;
  /** Strictly ascending addresses, as the registry requires (`validateSplits` in @fairstream/protocol sorts them). */
  recipients: readonly Address[];
  /** Parts per million, one per recipient, each > 0, summing to 1,000,000. Immutable once registered. */
  shares: readonly number[];
};

export type RegisterTrackReturnType = TransactionResult;

export type RegisterTrackErrorType = ChainError;

/**
 * Registers a track owned by the client's account, with its split fixed forever. An invalid split
 * fails before anything is sent, naming the registry's error (`SharesDoNotSumToTotal(900000)`,
 * `RecipientsNotSorted(1)`, …).
 */
export async function registerTrack(
  client: WalletClientLike,
  parameters: RegisterTrackParameters,
): Promise<RegisterTrackReturnType> {
  const { deployment, trackId, recipients, shares } = parameters;
  const receipt = await sendContractTransaction(client, {
    to: requireContract(deployment, 'TrackRegistry'),
    data: encodeFunctionData({
      abi: trackRegistryAbi,
      functionName: 'register',
      args: [
        trackId,
        parameters.metadataDigest ?? zeroHash,
        parameters.access ?? FREE_ACCESS,
        recipients,
        shares,
      ],
    }),
    description: `Registering track ${trackId}`,
  });
  return transactionResult(receipt);
}
