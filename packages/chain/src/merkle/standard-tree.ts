// Pure and browser-safe (no node:* imports): the web app and `fairstream verify` rebuild trees too.
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { compareHashes, doubleKeccakMany, hashInnerNodes, keccak256Bytes } from './keccak.ts';

/**
 * OpenZeppelin's StandardMerkleTree, built from typed arrays. The same roots, proofs and dumps as
 * @openzeppelin/merkle-tree (a test checks it against that package), so auditors can use either and
 * the contracts' MerkleProof.verify accepts the proofs; but a million leaves take seconds and tens of
 * megabytes instead of minutes and gigabytes, because nodes are bytes in one buffer instead of hex
 * strings and keccak runs in WebAssembly.
 *
 * The layout is OpenZeppelin's: leaf hashes sorted ascending, a complete binary tree in one array of
 * 2n − 1 nodes, leaves at the end in reverse sorted order, node i's children at 2i + 1 and 2i + 2, and
 * each parent = keccak256(the two children, smaller first).
 */
export interface StandardTree {
  readonly root: Hex;
  /** Number of leaves. */
  readonly size: number;
  /** All 2n − 1 nodes, 32 bytes each, root first. */
  readonly nodes: Uint8Array;
  /** The tree index of the leaf given as `leafHashes[i]`. */
  readonly treeIndexOf: Uint32Array;
}

const HASH = 32;

/**
 * The leaf hash StandardMerkleTree uses: keccak256(keccak256(abi.encode(values))). `encoded` holds
 * `count` ABI encodings of `width` bytes each; returns the count × 32 bytes of leaf hashes.
 */
export function standardLeafHashes(encoded: Uint8Array, width: number, count: number): Uint8Array {
  return doubleKeccakMany(encoded, width, count);
}

/** Builds the tree over `leafHashes` (n × 32 bytes, in the caller's value order). */
export function buildStandardTree(leafHashes: Uint8Array): StandardTree {
  const size = leafHashes.length / HASH;
  if (!Number.isInteger(size)) throw new Error('Leaf hashes must be 32 bytes each');
  if (size === 0) throw new Error('A Merkle tree needs at least one leaf');
  const order = sortedOrder(leafHashes, size);
  const length = 2 * size - 1;
  const nodes = new Uint8Array(length * HASH);
  const treeIndexOf = new Uint32Array(size);
  for (let sorted = 0; sorted < size; sorted++) {
    const leaf = order[sorted]!;
    const treeIndex = length - 1 - sorted;
    treeIndexOf[leaf] = treeIndex;
    const from = leaf * HASH;
    const to = treeIndex * HASH;
    for (let k = 0; k < HASH; k++) nodes[to + k] = leafHashes[from + k]!;
  }
  hashInnerNodes(nodes, size);
  return { root: bytesToHex(nodes.subarray(0, HASH)), size, nodes, treeIndexOf };
}

/** The node at a tree index, as hex. */
export function nodeAt(tree: StandardTree, treeIndex: number): Hex {
  return bytesToHex(tree.nodes.subarray(treeIndex * HASH, treeIndex * HASH + HASH));
}

/** Every node as hex, root first: the `tree` of OpenZeppelin's `standard-v1` dump. */
export function allNodes(tree: StandardTree): Hex[] {
  const hex: Hex[] = new Array(2 * tree.size - 1);
  for (let i = 0; i < hex.length; i++) hex[i] = nodeAt(tree, i);
  return hex;
}

/** The proof of the leaf given as `leafHashes[leafIndex]`: its siblings from the leaf up. */
export function proofOf(tree: StandardTree, leafIndex: number): Hex[] {
  let index = tree.treeIndexOf[leafIndex];
  if (index === undefined) throw new Error(`No leaf ${leafIndex} in a tree of ${tree.size}`);
  const proof: Hex[] = [];
  while (index > 0) {
    proof.push(nodeAt(tree, index % 2 === 1 ? index + 1 : index - 1));
    index = Math.floor((index - 1) / 2);
  }
  return proof;
}

/** The root a proof leads to from a leaf hash (as MerkleProof.processProof computes it). */
export function processProof(leafHash: Hex, proof: readonly Hex[]): Hex {
  let node = hexToBytes(leafHash);
  const pair = new Uint8Array(2 * HASH);
  for (const sibling of proof) {
    const other = hexToBytes(sibling);
    const [low, high] = compareHashes(node, 0, other, 0) <= 0 ? [node, other] : [other, node];
    pair.set(low, 0);
    pair.set(high, HASH);
    node = keccak256Bytes(pair);
  }
  return bytesToHex(node);
}

/**
 * Leaf positions by ascending hash, as OpenZeppelin orders them (bytewise, stable for equal hashes).
 * Sorting a million 32-byte keys with a comparator takes seconds; instead each key is packed into a
 * number as (the hash's leading bits, the leaf's position) and a Float64Array sorts natively, with
 * no BigInt per leaf. Leaves whose leading bits tie are then put in order by their whole hashes.
 */
function sortedOrder(hashes: Uint8Array, size: number): Uint32Array {
  // Each key is (the hash's leading bits, the leaf's position) in one float64: exact integers up to
  // 2^53, so a tree of up to 2^21 leaves keeps at least 32 leading bits. Larger trees sort by
  // comparing whole hashes (slower, still exact).
  const positionBits = Math.max(1, Math.ceil(Math.log2(size)));
  const prefixBits = 53 - positionBits;
  if (prefixBits < 32) {
    return Uint32Array.from({ length: size }, (_, i) => i).sort(
      (a, b) => compareHashes(hashes, a * HASH, hashes, b * HASH) || a - b,
    );
  }
  const slots = 2 ** positionBits;
  const drop = 2 ** (48 - prefixBits);
  const keys = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const at = i * HASH;
    // The first 48 bits as an exact number, then only the leading prefixBits of them.
    const first48 =
      (hashes[at]! * 2 ** 16 + hashes[at + 1]! * 2 ** 8 + hashes[at + 2]!) * 2 ** 24 +
      (hashes[at + 3]! * 2 ** 16 + hashes[at + 4]! * 2 ** 8 + hashes[at + 5]!);
    keys[i] = Math.floor(first48 / drop) * slots + i;
  }
  keys.sort();
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = keys[i]! % slots;
  // Runs of equal prefixes: rare (among a million leaves a few dozen pairs share 33 leading bits),
  // and each is tiny.
  let start = 0;
  for (let i = 1; i <= size; i++) {
    if (i < size && Math.floor(keys[i]! / slots) === Math.floor(keys[start]! / slots)) continue;
    if (i - start > 1) {
      const run = Array.from(order.subarray(start, i)).sort(
        (a, b) => compareHashes(hashes, a * HASH, hashes, b * HASH) || a - b,
      );
      order.set(run, start);
    }
    start = i;
  }
  return order;
}
