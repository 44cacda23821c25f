import { FREE_ACCESS, getTrack, registerTrackFor } from '@fairstream/chain';
import { CID } from 'multiformats/cid';
import { type Address, bytesToHex, type Hex, keccak256, toBytes } from 'viem';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import type { Ledger } from './ledger.ts';

export interface TrackRegistration {
  chainTrackId: Hex;
  /** Undefined when the track was already on the ledger (a retry after a crash). */
  transaction: Hex | undefined;
}

/** A track's id on the ledger: keccak256 of its node id, the same id the plays tree uses. */
export function chainTrackId(trackId: string): Hex {
  return keccak256(toBytes(trackId));
}

/**
 * The registration ties the ledger entry to the exact audio: its metadata digest is the sha2-256
 * digest inside the original's CID, so anyone can match the file to the track.
 */
export function originalDigest(originalCid: string): Hex {
  return bytesToHex(CID.parse(originalCid).multihash.digest);
}

/**
 * Registers a ready track in TrackRegistry with its split and access rule, paid by the node's
 * operator (the registrar) on behalf of the artist. Idempotent: a track already registered (say the
 * node crashed after sending) is recognized, not sent twice.
 */
export async function registerTrackOnLedger(ledger: Ledger, track: TrackRecord): Promise<TrackRegistration> {
  const id = chainTrackId(track.id);
  const deployment = ledger.deployment;
  if (await getTrack(ledger.publicClient, { deployment, trackId: id })) {
    return { chainTrackId: id, transaction: undefined };
  }
  const result = await registerTrackFor(ledger.operatorWallet, {
    deployment,
    owner: track.owner as Address,
    trackId: id,
    metadataDigest: originalDigest(track.original_cid),
    access:
      track.access_kind === 'token' && track.gate_token && track.gate_min_balance
        ? { kind: 1, token: track.gate_token as Address, minBalance: BigInt(track.gate_min_balance) }
        : FREE_ACCESS,
    // Stored sorted by address, the order the registry requires.
    recipients: track.splits.map((split) => split.address as Address),
    shares: track.splits.map((split) => split.ppm),
  });
  return { chainTrackId: id, transaction: result.hash };
}
