// Pure and browser-safe: `fairstream verify` and the web app's ledger explorer recompute the plays root.
import {
  buildStandardTree,
  keccak256Bytes,
  keccak256Utf8Into,
  type StandardTree,
  standardLeafHashes,
  writeAddressWord,
  writeUint64Word,
} from '@fairstream/chain/merkle';
import { checkPlaysLeaf, type PlaysLeafInput } from '@fairstream/protocol';

/** abi.encode(bytes32 playId, address listener, bytes32 trackId, uint64 heardMs, uint64 firstStartedAt). */
export const PLAYS_LEAF_BYTES = 5 * 32;

/**
 * The plays tree of an epoch: one leaf per counted play, with the values of protocol's
 * `playsLeafValues` (the same root as StandardMerkleTree.of over them), written straight into one
 * buffer so a million plays take seconds. Throws on a play that does not fit the leaf.
 */
export function buildPlaysTree(plays: readonly PlaysLeafInput[]): StandardTree {
  return buildStandardTree(standardLeafHashes(encodePlaysLeaves(plays), PLAYS_LEAF_BYTES, plays.length));
}

/**
 * The ABI encodings of the plays' leaves, PLAYS_LEAF_BYTES each, end to end: the part of building
 * the tree that needs the plays themselves (the rest, hashing and the tree, can run in a worker).
 */
export function encodePlaysLeaves(plays: readonly PlaysLeafInput[]): Uint8Array {
  const encoder = leafEncoder(plays.length);
  for (const [i, play] of plays.entries()) encoder.write(i, play);
  return encoder.encoded;
}

function leafEncoder(count: number) {
  const encoded = new Uint8Array(count * PLAYS_LEAF_BYTES);
  const utf8 = new TextEncoder();
  // Track ids repeat across plays (a popular track has thousands): hash each once.
  const trackHashes = new Map<string, Uint8Array>();
  return {
    encoded,
    write(i: number, play: PlaysLeafInput): void {
      checkPlaysLeaf(play);
      const offset = i * PLAYS_LEAF_BYTES;
      keccak256Utf8Into(play.playId, encoded, offset);
      writeAddressWord(encoded, offset + 32, play.listener);
      let trackHash = trackHashes.get(play.trackId);
      if (!trackHash) {
        trackHash = keccak256Bytes(utf8.encode(play.trackId));
        trackHashes.set(play.trackId, trackHash);
      }
      encoded.set(trackHash, offset + 64);
      writeUint64Word(encoded, offset + 96, play.heardMs);
      writeUint64Word(encoded, offset + 128, play.firstStartedAt);
    },
  };
}
