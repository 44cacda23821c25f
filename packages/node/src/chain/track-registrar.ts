import { FREE_ACCESS, getSplit, getTrack, registerTrackFor, type TrackAccessRule } from '@fairstream/chain';
import { CID } from 'multiformats/cid';
import { type Address, bytesToHex, type Hex, keccak256, toBytes } from 'viem';
import { conflict } from '../errors.ts';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import type { Ledger } from './ledger.ts';

/** The outcome of the register stage: on the ledger (and matching), or waiting for the artist. */
export type TrackRegistration =
  | {
      state: 'registered';
      chainTrackId: Hex;
      /** Undefined when the entry was already there (a retry after a crash, or the artist's own). */
      transaction: Hex | undefined;
    }
  | { state: 'waiting'; chainTrackId: Hex };

/** A TrackRegistry entry: what `register` takes (besides the id) and what the registry stores. */
export interface LedgerEntry {
  owner: Address;
  metadataDigest: Hex;
  access: TrackAccessRule;
  /** Strictly ascending, as the registry requires. */
  recipients: Address[];
  /** Parts per million, one per recipient. */
  shares: number[];
}

/** A field in which the ledger's entry differs from the track, both values as text. */
export interface EntryMismatch {
  field: 'owner' | 'metadataDigest' | 'access' | 'recipients' | 'shares';
  ledger: string;
  track: string;
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

/** The entry a track must have on the ledger, from the node's record of it (fixed at upload). */
export function expectedEntry(track: TrackRecord): LedgerEntry {
  // Splits are stored lower-case and read sorted by address, which is the registry's numeric order.
  const splits = [...track.splits].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return {
    owner: track.owner as Address,
    metadataDigest: originalDigest(track.original_cid),
    access:
      track.access_kind === 'token' && track.gate_token && track.gate_min_balance
        ? { kind: 1, token: track.gate_token as Address, minBalance: BigInt(track.gate_min_balance) }
        : FREE_ACCESS,
    recipients: splits.map((split) => split.address as Address),
    shares: splits.map((split) => split.ppm),
  };
}

/** The ledger's entry under an id, or undefined when nothing is registered there. */
export async function readEntry(ledger: Ledger, id: Hex): Promise<LedgerEntry | undefined> {
  const { publicClient, deployment } = ledger;
  const track = await getTrack(publicClient, { deployment, trackId: id });
  if (!track) return undefined;
  // A split is immutable once registered, so reading it after the entry cannot see another one.
  const split = await getSplit(publicClient, { deployment, trackId: id });
  if (!split) return undefined;
  return {
    owner: track.owner,
    metadataDigest: track.metadataDigest,
    access: track.access,
    recipients: split.recipients,
    shares: split.shares,
  };
}

/**
 * Every field in which the ledger's entry differs from what the track needs. Settlement and tips
 * pay by the ledger's split, so an entry someone else registered (another owner, another split) must
 * never pass for the track's own.
 */
export function entryMismatches(ledger: LedgerEntry, track: LedgerEntry): EntryMismatch[] {
  const mismatches: EntryMismatch[] = [];
  const address = (value: string) => value.toLowerCase();
  const addresses = (values: readonly string[]) => values.map(address).join(', ');
  const access = (rule: TrackAccessRule) =>
    rule.kind === 0
      ? 'free'
      : `${rule.kind === 1 ? 'ERC-20' : rule.kind === 2 ? 'ERC-721' : `kind ${rule.kind}`} ${address(rule.token)}, at least ${rule.minBalance}`;
  if (address(ledger.owner) !== address(track.owner)) {
    mismatches.push({ field: 'owner', ledger: address(ledger.owner), track: address(track.owner) });
  }
  if (ledger.metadataDigest.toLowerCase() !== track.metadataDigest.toLowerCase()) {
    mismatches.push({ field: 'metadataDigest', ledger: ledger.metadataDigest, track: track.metadataDigest });
  }
  if (access(ledger.access) !== access(track.access)) {
    mismatches.push({ field: 'access', ledger: access(ledger.access), track: access(track.access) });
  }
  if (addresses(ledger.recipients) !== addresses(track.recipients)) {
    mismatches.push({
      field: 'recipients',
      ledger: addresses(ledger.recipients),
      track: addresses(track.recipients),
    });
  }
  if (ledger.shares.join(', ') !== track.shares.join(', ')) {
    mismatches.push({ field: 'shares', ledger: ledger.shares.join(', '), track: track.shares.join(', ') });
  }
  return mismatches;
}

/** Says which fields differ and what to do: the ledger's entry cannot change, the track can be uploaded again. */
export function describeMismatches(trackId: string, id: Hex, mismatches: EntryMismatch[]): string {
  const fields = mismatches.map((m) => `${m.field} (ledger: ${m.ledger}; track: ${m.track})`).join('; ');
  return (
    `The TrackRegistry entry ${id} of track ${trackId} does not match the track: ${fields}. ` +
    'Settlement would pay by the ledger entry, so the track is not published; delete it and upload ' +
    'the audio again (a new upload gets a new ledger id)'
  );
}

/**
 * The register stage. A track already on the ledger (a retry after a crash, or registered by the
 * artist) is accepted only when its entry matches the track field by field; otherwise the stage
 * fails, naming the fields. A track the artist registers is waited for; any other is registered by
 * the node's operator (the registrar, paying the gas) on behalf of the artist, who owns the entry.
 */
export async function registerTrackOnLedger(ledger: Ledger, track: TrackRecord): Promise<TrackRegistration> {
  const id = chainTrackId(track.id);
  const expected = expectedEntry(track);
  const existing = await readEntry(ledger, id);
  if (existing) {
    const mismatches = entryMismatches(existing, expected);
    if (mismatches.length > 0) {
      throw conflict('ledger_mismatch', describeMismatches(track.id, id, mismatches));
    }
    return { state: 'registered', chainTrackId: id, transaction: undefined };
  }
  if (track.registration === 'artist') return { state: 'waiting', chainTrackId: id };
  const result = await registerTrackFor(ledger.operatorWallet, {
    deployment: ledger.deployment,
    trackId: id,
    ...expected,
  });
  return { state: 'registered', chainTrackId: id, transaction: result.hash };
}
