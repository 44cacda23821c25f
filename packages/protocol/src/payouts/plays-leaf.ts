/**
 * The plays leaf: one leaf per COUNTED play in the epoch's plays root (posted on-chain with the
 * payout root by PayoutDistributor.publishEpoch), so an auditor holding the published epoch data
 * can prove that a play they were shown was in the set the payouts were computed from. The tree is
 * OpenZeppelin's StandardMerkleTree over these values (built fast by @fairstream/chain's standard
 * tree, the same root as StandardMerkleTree.of(values, PLAYS_LEAF_ENCODING)): leaf hash =
 * keccak256(bytes.concat(keccak256(abi.encode(values...)))), the same as the payout leaf.
 */
import { encodeAbiParameters, type Hex, keccak256, stringToBytes } from 'viem';

/**
 * (bytes32 playId, address listener, bytes32 trackId, uint64 heardMs, uint64 firstStartedAt):
 * - playId: keccak256 of the play id's UTF-8 (ids are free-form strings up to 64 chars; hashing
 *   gives a fixed width and does not disclose anything the published data does not);
 * - listener: the listener's address;
 * - trackId: keccak256 of the track id's UTF-8;
 * - heardMs: distinct audio heard, as judgePlay measured it;
 * - firstStartedAt: Unix ms of the play's first report start (which UTC day its cap counted in).
 * One leaf per play, so no two leaves are equal (playIds are unique per play).
 */
export const PLAYS_LEAF_ENCODING: readonly string[] = Object.freeze([
  'bytes32',
  'address',
  'bytes32',
  'uint64',
  'uint64',
]);

export interface PlaysLeafInput {
  playId: string;
  /** 0x address, any case (lower-cased in the leaf: abi-encoding ignores case, dumps compare as text). */
  listener: string;
  trackId: string;
  heardMs: number;
  firstStartedAt: number;
}

/** Leaf values as StandardMerkleTree takes them; integers as decimal strings so a tree dump is plain JSON. */
export type PlaysLeafValues = [
  playId: Hex,
  listener: Hex,
  trackId: Hex,
  heardMs: string,
  firstStartedAt: string,
];

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** keccak256 of a string's UTF-8: the bytes32 form of a play id or track id in the plays leaf. */
export function idHash(id: string): Hex {
  return keccak256(stringToBytes(id));
}

/**
 * Throws unless the play fits the leaf: non-empty ids, a 0x listener address, and whole non-negative
 * ms (safe integers are far inside uint64, and anything else would hash differently in each client).
 */
export function checkPlaysLeaf(play: PlaysLeafInput): void {
  if (typeof play.playId !== 'string' || play.playId === '')
    throw new RangeError('A plays leaf needs a playId');
  if (typeof play.trackId !== 'string' || play.trackId === '')
    throw new RangeError('A plays leaf needs a trackId');
  if (typeof play.listener !== 'string' || !ADDRESS.test(play.listener)) {
    throw new RangeError(
      `A plays leaf needs the listener's 0x address, not "${String(play.listener).slice(0, 50)}"`,
    );
  }
  if (!Number.isSafeInteger(play.heardMs) || play.heardMs < 0) {
    throw new RangeError(`heardMs must be a whole non-negative number of ms, not ${play.heardMs}`);
  }
  if (!Number.isSafeInteger(play.firstStartedAt) || play.firstStartedAt < 0) {
    throw new RangeError(
      `firstStartedAt must be a whole non-negative number of ms, not ${play.firstStartedAt}`,
    );
  }
}

/** The values of one counted play's leaf, in PLAYS_LEAF_ENCODING order. Throws on values that do not fit. */
export function playsLeafValues(play: PlaysLeafInput): PlaysLeafValues {
  checkPlaysLeaf(play);
  return [
    idHash(play.playId),
    play.listener.toLowerCase() as Hex,
    idHash(play.trackId),
    String(play.heardMs),
    String(play.firstStartedAt),
  ];
}

/**
 * The leaf hash StandardMerkleTree computes for these values, without the merkle-tree package, so a
 * browser can check a published leaf: keccak256(keccak256(abi.encode(values))).
 */
export function playsLeafHash(values: PlaysLeafValues): Hex {
  const [playId, listener, trackId, heardMs, firstStartedAt] = values;
  const encoded = encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'address' }, { type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }],
    [playId, listener, trackId, BigInt(heardMs), BigInt(firstStartedAt)],
  );
  return keccak256(keccak256(encoded));
}
