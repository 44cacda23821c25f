// Pure and browser-safe: the web app and `fairstream verify` rebuild trees too.
import { createKeccak } from 'hash-wasm';

/**
 * Keccak-256 for bulk hashing: a tree of a million leaves takes about four million hashes, and the
 * JavaScript keccak that viem uses costs ~6 µs each. The batch functions hash whole arrays in one
 * call, so a faster engine can replace the loop without touching the trees. The module is compiled
 * once, at import: top-level await keeps every caller synchronous.
 */
const hasher = await createKeccak(256);

const HASH = 32;

/** keccak256(data) as 32 bytes. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

/** Writes keccak256(data) into `out` at byte `offset`. */
export function keccak256Into(data: Uint8Array, out: Uint8Array, offset: number): void {
  out.set(keccak256Bytes(data), offset);
}

/**
 * keccak256(keccak256(message)) of `count` messages of `width` bytes laid end to end in `messages`:
 * StandardMerkleTree's leaf hash of each ABI encoding. Returns count × 32 bytes.
 */
export function doubleKeccakMany(messages: Uint8Array, width: number, count: number): Uint8Array {
  if (messages.length !== width * count) {
    throw new Error(`Expected ${count} encodings of ${width} bytes, got ${messages.length} bytes`);
  }
  const out = new Uint8Array(count * HASH);
  for (let i = 0; i < count; i++) {
    keccak256Into(keccak256Bytes(messages.subarray(i * width, (i + 1) * width)), out, i * HASH);
  }
  return out;
}

/**
 * Fills the inner nodes of a StandardMerkleTree laid out in `nodes` (2n − 1 nodes of 32 bytes, the
 * n leaves already in the last n slots): from the last inner node up to the root, node i =
 * keccak256(its children 2i + 1 and 2i + 2, the smaller first, compared bytewise).
 */
export function hashInnerNodes(nodes: Uint8Array, leafCount: number): void {
  const length = 2 * leafCount - 1;
  if (nodes.length !== length * HASH) throw new Error(`Expected ${length} nodes for ${leafCount} leaves`);
  const pair = new Uint8Array(2 * HASH);
  for (let i = length - 1 - leafCount; i >= 0; i--) {
    const left = (2 * i + 1) * HASH;
    const right = left + HASH;
    const [low, high] = compareHashes(nodes, left, nodes, right) <= 0 ? [left, right] : [right, left];
    pair.set(nodes.subarray(low, low + HASH), 0);
    pair.set(nodes.subarray(high, high + HASH), HASH);
    keccak256Into(pair, nodes, i * HASH);
  }
}

/** Bytewise comparison of two 32-byte hashes at offsets of two arrays. */
export function compareHashes(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  for (let k = 0; k < HASH; k++) {
    const difference = a[aOffset + k]! - b[bOffset + k]!;
    if (difference !== 0) return difference;
  }
  return 0;
}
