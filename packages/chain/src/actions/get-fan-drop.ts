import type { Address, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { fanDropsAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import type { ChainError } from '../errors.ts';
import { describeRevert } from './internal/describe-revert.ts';
import { requireContract } from './internal/require-contract.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetFanDropParameters = {
  deployment: Pick<Deployment, 'contracts'>;
  dropId: bigint;
  /** Also say, for each of these accounts, whether the drop has paid it. */
  claimedBy?: readonly Address[];
  blockNumber?: bigint;
};

export type FanDropOnChain = {
  dropId: bigint;
  creator: Address;
  root: Hex;
  /** FAIR funded, and paid so far, in base units. */
  total: bigint;
  claimed: bigint;
  /** Accounts the drop declared, and accounts paid so far. */
  recipients: number;
  claimedCount: number;
  /** When claims close (Unix seconds). */
  expiresAt: bigint;
  /** Whether its creator took back what was unclaimed after expiry. */
  reclaimed: boolean;
};

/** Undefined when no drop has the id. */
export type GetFanDropReturnType = (FanDropOnChain & { claimedBy: boolean[] }) | undefined;

export type GetFanDropErrorType = ChainError | Error;

/** Reads a fan drop as stored on-chain, and optionally which of some accounts it has paid. */
export async function getFanDrop(
  client: PublicClientLike,
  parameters: GetFanDropParameters,
): Promise<GetFanDropReturnType> {
  const { deployment, dropId, blockNumber } = parameters;
  const address = requireContract(deployment, 'FanDrops');
  const at = blockNumber === undefined ? {} : { blockNumber };
  let drop: Awaited<ReturnType<typeof readDrop>>;
  try {
    drop = await readDrop(client, address, dropId, at);
  } catch (error) {
    // The contract reverts for an unknown id; that is an answer, not a failure.
    if (describeRevert(error)?.startsWith('UnknownDrop(')) return undefined;
    throw error;
  }
  const claimedBy = await Promise.all(
    (parameters.claimedBy ?? []).map((account) =>
      readContract(client, {
        address,
        abi: fanDropsAbi,
        functionName: 'isClaimed',
        args: [dropId, account],
        ...at,
      }),
    ),
  );
  return {
    dropId,
    creator: drop.creator,
    root: drop.root,
    total: drop.total,
    claimed: drop.claimed,
    recipients: drop.recipients,
    claimedCount: drop.claimedCount,
    expiresAt: BigInt(drop.expiresAt),
    reclaimed: drop.reclaimed,
    claimedBy,
  };
}

function readDrop(client: PublicClientLike, address: Address, dropId: bigint, at: { blockNumber?: bigint }) {
  return readContract(client, { address, abi: fanDropsAbi, functionName: 'dropOf', args: [dropId], ...at });
}
